/* Samverkansportalen: small progressive enhancements. No inline script (the
   Content-Security-Policy forbids it); every page works without this file. */
(function () {
  "use strict";

  // Styles that only make sense with script (the menu button) hang on this class.
  document.documentElement.classList.add("js");

  /* The header's menu button at small widths: opens and closes the menu it controls
     (aria-expanded tells screen readers); Escape closes it and returns to the button. */
  function setUpMenuButton() {
    var button = document.querySelector(".menu-button[aria-controls]");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    function isOpen() {
      return button.getAttribute("aria-expanded") === "true";
    }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      setOpen(!isOpen());
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && isOpen() && (menu.contains(document.activeElement) || document.activeElement === button)) {
        setOpen(false);
        button.focus();
      }
    });
  }

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  ready(setUpMenuButton);
})();
