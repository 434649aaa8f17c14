/* The portal's accessibility fixes of Django's admin (CSP-safe, no inline script). */
(function () {
  "use strict";

  /* An autocomplete field (select2) names its combobox by the chosen value only: empty when
     nothing is chosen. Name it by the field's label and the value. Runs on "load", after select2 is set up. */
  function labelAutocompletes() {
    document.querySelectorAll("select.admin-autocomplete[id]").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var container = select.nextElementSibling;
      var combobox = container && container.querySelector(".select2-selection[role=combobox]");
      if (label && combobox) {
        // The label, then the chosen value (select2's own naming element).
        label.id = label.id || select.id + "-label";
        var chosen = combobox.getAttribute("aria-labelledby");
        combobox.setAttribute("aria-labelledby", chosen ? label.id + " " + chosen : label.id);
        // select2's read-only "textbox" showing the value is named by the label too.
        var shown = chosen && document.getElementById(chosen);
        if (shown) {
          shown.setAttribute("aria-labelledby", label.id);
        }
      }
    });
  }

  window.addEventListener("load", labelAutocompletes);
})();
