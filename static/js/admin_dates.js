/* Django's admin (admin/js/admin/DateTimeShortcuts.js) adds a note under every date and time
   field when the browser's time zone differs from the server's: "Note: You are N hours ahead of
   server time", in English (Django 6.1's Vietnamese catalogue lacks it). The portal's dates are
   calendar days of Vietnam, and the only time fields are read-only, so the note says nothing a
   user can act on. This script runs deferred, that is after the admin's own scripts (the form's
   media) and before the page's load event, when DateTimeShortcuts.init creates the notes: it
   replaces the method that creates one, so no note is ever created. The server's offset
   (data-admin-utc-offset) stays, so "Hôm nay" in the calendar is still Vietnam's day.
   Loaded on every admin page (templates/admin/base_site.html); a page without date fields has
   no DateTimeShortcuts and nothing happens. */
(function () {
  "use strict";
  if (window.DateTimeShortcuts) {
    window.DateTimeShortcuts.addTimezoneWarning = function () {};
  }
})();
