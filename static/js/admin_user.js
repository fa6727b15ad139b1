/* The user page (programmes/admin/accounts.py): the province belongs to province staff only, so
   its row is shown for that role alone. Without this script the row stays visible and the
   server refuses a province given to another role, with the reason. */
(function () {
  "use strict";
  function init() {
    var role = document.getElementById("id_role");
    var row = document.querySelector(".form-row.field-province");
    var province = document.getElementById("id_province");
    if (!role || !row || !province) return;
    function update() {
      var staff = role.value === "province_staff";
      row.hidden = !staff && !province.value;
    }
    role.addEventListener("change", update);
    province.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
