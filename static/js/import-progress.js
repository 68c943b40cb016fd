// The progress bar of a DUO import (templates/schools/import_status.html): asks the server every second
// how far the import is, moves the bar, and shows the result page once the import is finished. Without
// JavaScript the page has a refresh link. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-progress]");
  if (!box) {
    return;
  }
  var bar = box.querySelector("[data-progress-bar]");
  var status = box.querySelector("[data-progress-status]");
  var count = box.querySelector("[data-progress-count]");
  var countTemplate = box.getAttribute("data-count-template") || "";

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    status.textContent = data.rows_total ? data.label + ":" : data.label;
    if (countTemplate && data.rows_total) {
      count.textContent = countTemplate
        .replace("{done}", data.rows_done)
        .replace("{total}", data.rows_total);
    }
  }

  function poll() {
    fetch(box.getAttribute("data-import-progress"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // a server restart or a dropped connection: try again later
      });
  }
  window.setTimeout(poll, 1000);
})();
