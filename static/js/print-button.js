// A button marked data-print opens the browser's print dialog (the progress report: templates/programme/
// report.html). No inline script: the CSP forbids it.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
