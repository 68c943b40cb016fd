// The log page (templates/meetings/meeting_log.html). Without this file everything works through the
// server: "Everyone present" then sends the page and gets it back with the attendance filled in.
// - "Everyone present" marks everyone still "Not recorded" as present, here in the browser.
// - "Replaced by" is shown only for someone marked "Replaced" (or when it holds text or an error).
(function () {
  "use strict";
  var form = document.querySelector("[data-meeting-log]");
  if (!form) {
    return;
  }
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-attendance-row]"));
  var status = form.querySelector("[data-attendance-status]");

  function showReplacedBy(row) {
    var state = row.querySelector("[data-attendance='state']");
    var replacedBy = row.querySelector("[data-attendance='replaced-by']");
    var cell = row.querySelector("[data-replaced-by-cell]");
    if (!state || !replacedBy || !cell) {
      return;
    }
    var needed = state.value === "replaced" || replacedBy.value !== "" || replacedBy.classList.contains("is-invalid");
    cell.classList.toggle("invisible", !needed);
  }

  rows.forEach(function (row) {
    showReplacedBy(row);
    var state = row.querySelector("[data-attendance='state']");
    if (state) {
      state.addEventListener("change", function () {
        showReplacedBy(row);
      });
    }
  });

  var button = form.querySelector("[data-everyone-present]");
  if (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      rows.forEach(function (row) {
        var state = row.querySelector("[data-attendance='state']");
        if (state && state.value === "unknown") {
          state.value = "present";
          showReplacedBy(row);
        }
      });
      if (status) {
        status.textContent = status.dataset.done;
      }
    });
  }
})();
