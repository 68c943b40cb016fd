// The error summary of a refused form (templates/_partials/error_summary.html): move the focus to it when
// the page loads, so a screen reader reads it first and a keyboard user starts there; following one of its
// links focuses that field (the browser would only scroll) with its label in view.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector("label[for='" + CSS.escape(field.id) + "']");
    var group = field.closest("[role='group'], fieldset");
    (group || label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
