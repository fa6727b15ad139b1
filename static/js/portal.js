// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move the keyboard focus to the error summary so that its links to the fields are read first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  });

  // Leaving a form with unsaved edits asks first (forms marked data-guard: the year plan, the
  // reasons of a decision). Sending that form is not leaving it. Without this script the pages
  // still work: a plan submitted with unsaved figures is stopped by the server, which asks.
  var dirtyForms = [];

  function markDirty(event) {
    var form = event.target && event.target.form;
    if (form && form.hasAttribute("data-guard") && dirtyForms.indexOf(form) === -1) {
      dirtyForms.push(form);
    }
  }

  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);
  document.addEventListener("submit", function (event) {
    var index = dirtyForms.indexOf(event.target);
    if (index !== -1) {
      dirtyForms.splice(index, 1);
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirtyForms.length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Grids of figures (the year plan) are typed as in a spreadsheet: Enter or ↓ moves to the
  // cell below, Shift+Enter or ↑ to the cell above. Enter in the last cell submits the form,
  // as it would without this script.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.form || !input.form.hasAttribute("data-grid")) {
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var step = 0;
    if (event.key === "Enter") {
      step = event.shiftKey ? -1 : 1;
    } else if (event.key === "ArrowDown" && !event.shiftKey) {
      step = 1;
    } else if (event.key === "ArrowUp" && !event.shiftKey) {
      step = -1;
    }
    if (!step) {
      return;
    }
    var cells = Array.prototype.filter.call(
      input.form.querySelectorAll("[data-grid-cell]"),
      function (cell) { return !cell.disabled && !cell.readOnly; }
    );
    var index = cells.indexOf(input);
    if (index === -1) {
      return;
    }
    var next = cells[index + step];
    if (!next) {
      if (event.key !== "Enter" || step < 0) {
        event.preventDefault();
      }
      return;
    }
    event.preventDefault();
    next.focus();
    next.select();
  });

  // Files that take a while to build (Excel reports): "preparing the file…" beside the link
  // until the file starts to arrive. The server echoes the link's random token in a cookie on
  // the file's response (khuyencong.middleware.download_token_middleware).
  var DOWNLOAD_COOKIE = "download_token";

  function statusAfter(element) {
    var next = element.nextElementSibling;
    if (next && next.hasAttribute("data-download-status")) {
      return next;
    }
    var status = document.createElement("span");
    status.className = "download-status";
    status.setAttribute("data-download-status", "");
    status.setAttribute("role", "status");
    element.insertAdjacentElement("afterend", status);
    return status;
  }

  function text(name) {
    var meta = document.querySelector("meta[name='" + name + "']");
    return meta ? meta.getAttribute("content") : "";
  }

  function hasCookie(name, value) {
    return document.cookie.split("; ").indexOf(name + "=" + value) !== -1;
  }

  function newToken() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  // Say "preparing…" beside `element` (the link or button) until the cookie with `token`
  // arrives, then "ready"; give up quietly after ten minutes.
  function watchDownload(element, token) {
    var status = statusAfter(element);
    status.classList.remove("download-done");
    status.classList.add("download-busy");
    status.textContent = text("download-busy");
    element.setAttribute("aria-busy", "true");
    var started = Date.now();
    var timer = window.setInterval(function () {
      var arrived = hasCookie(DOWNLOAD_COOKIE, token);
      if (!arrived && Date.now() - started < 10 * 60 * 1000) {
        return;
      }
      window.clearInterval(timer);
      document.cookie = DOWNLOAD_COOKIE + "=; Max-Age=0; path=/; SameSite=Lax";
      element.removeAttribute("aria-busy");
      status.classList.remove("download-busy");
      if (arrived) {
        status.classList.add("download-done");
        status.textContent = text("download-done");
      } else {
        status.textContent = "";
      }
    }, 300);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[download]") : null;
    if (!link || link.getAttribute("aria-busy") === "true") {
      return;
    }
    var token = newToken();
    var address = new URL(link.href, window.location.href);
    address.searchParams.set(DOWNLOAD_COOKIE, token);
    link.href = address.toString();
    watchDownload(link, token);
  });

  // A form that downloads a file (GET, `data-download`), such as the import template.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-download")) {
      return;
    }
    var token = newToken();
    var input = form.querySelector("input[name='" + DOWNLOAD_COOKIE + "']");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = DOWNLOAD_COOKIE;
      form.appendChild(input);
    }
    input.value = token;
    var button = event.submitter || form.querySelector("button[type=submit]");
    if (button) {
      watchDownload(button, token);
    }
  });

  // Forms whose work takes a while (checking or importing a workbook): show that it is under
  // way and ignore a second press of the button while the page waits for the answer.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-busy")) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
    var buttons = form.querySelectorAll("button[type=submit], input[type=submit]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.setAttribute("aria-disabled", "true");
    });
    var status = form.querySelector("[data-busy-status]");
    if (status) {
      status.hidden = false;
      status.textContent = form.getAttribute("data-busy");
    }
  });
})();
