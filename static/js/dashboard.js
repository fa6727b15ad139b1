// Dashboards: progressive enhancement only; every report works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // The print button needs script, so it stays hidden without it.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  // A cut-off date wins over the period (as in the API): choosing 6 months, 9 months or the full
  // year clears the date, and typing a date selects "up to date".
  var bar = document.querySelector("[data-filter-bar]");
  if (!bar) {
    return;
  }
  var date = bar.querySelector("input[name='as_of']");
  var custom = bar.querySelector("[data-period-date]");
  bar.querySelectorAll("input[name='period']").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio !== custom && radio.checked && date) {
        date.value = "";
      }
      if (radio === custom && radio.checked && date) {
        date.focus();
      }
    });
  });
  if (date && custom) {
    date.addEventListener("input", function () {
      if (date.value) {
        custom.checked = true;
      }
    });
  }
});
