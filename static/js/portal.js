// Progressive enhancement only: every page works without this file.
// Move the keyboard focus to the error summary so that its links to the fields are read first.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
