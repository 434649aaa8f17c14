/* The portal's accessibility fixes of Django's admin (CSP-safe, no inline script). */
(function () {
  "use strict";

  /* An autocomplete field (select2) names its combobox by the chosen value only: empty when
     nothing is chosen. Name it by the field's label and the value. */
  function labelAutocompletes() {
    document.querySelectorAll("select.admin-autocomplete[id]").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var container = select.nextElementSibling;
      var combobox = container && container.querySelector(".select2-selection[role=combobox]");
      if (label && combobox) {
        // The label, then the chosen value (select2's own naming element).
        label.id = label.id || select.id + "-label";
        var chosen = combobox.getAttribute("aria-labelledby");
        if (chosen && chosen.split(" ").indexOf(label.id) !== -1) {
          return;
        }
        combobox.setAttribute("aria-labelledby", chosen ? label.id + " " + chosen : label.id);
        // select2's read-only "textbox" showing the value is named by the label too.
        var shown = chosen && document.getElementById(chosen);
        if (shown) {
          shown.setAttribute("aria-labelledby", label.id);
        }
      }
    });
  }

  /* A page's error summary (e.g. a refused import) takes focus when the page loads: a screen
     reader reads it and the page scrolls to it. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", focusErrorSummary);

  // After the admin's own jQuery "ready" callbacks, which set select2 up (they run later than
  // DOMContentLoaded, and not always before "load").
  document.addEventListener("DOMContentLoaded", function () {
    if (window.django && window.django.jQuery) {
      window.django.jQuery(labelAutocompletes);
    } else {
      labelAutocompletes();
    }
  });
})();
