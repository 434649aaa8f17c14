/* Samverkansportalen: small progressive enhancements. Every page works without this file;
   with it, errors and messages are brought to the person's attention and typed text is not
   lost by leaving a page by mistake. Loaded from base.html (no inline script: a
   Content-Security-Policy is on). Each behaviour is one named function, started at the end. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  /* Open every <details> that holds a field in error, so a collapsed section never hides the
     form the person must correct. */
  function openDetailsWithErrors() {
    document.querySelectorAll("details").forEach(function (details) {
      if (details.querySelector(".field-error, [aria-invalid='true'], .errors")) {
        details.open = true;
      }
    });
  }

  /* The error summary takes focus when the page loads (a screen reader reads it, the page
     scrolls to it); its links open the section that holds the field and focus the field. */
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return false;
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) {
        return;
      }
      event.preventDefault();
      var details = target.closest("details");
      if (details) {
        details.open = true;
      }
      var field = target.closest(".field") || target;
      field.scrollIntoView({block: "center"});
      target.focus();
    });
    summary.focus();
    return true;
  }

  /* Messages already in the page when it loads (after an action and a redirect) are not
     announced by a live region; moving focus to them is (GOV.UK's notification banner). */
  function focusPageMessages() {
    var messages = document.querySelector("[data-page-messages]");
    if (messages) {
      messages.focus();
    }
  }

  /* Leaving a page with typed but unsaved text asks first. Any POST form with typed fields is
     watched unless it says `data-no-guard`; sending the form itself is never stopped. */
  function guardUnsavedChanges() {
    var dirty = new Set();
    document.querySelectorAll("form[method='post' i]:not([data-no-guard])").forEach(function (form) {
      form.addEventListener("input", function (event) {
        var field = event.target;
        if (field.matches("textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, input[type=checkbox], input[type=radio]")) {
          dirty.add(form);
        }
      });
      form.addEventListener("submit", function () {
        // Only this form is being sent: text typed in another form on the page is still
        // unsaved, and leaving for this one asks first.
        dirty.delete(form);
      });
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty.size > 0) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  /* The header's menu button at small widths (shown by CSS only when this file has run: the
     "js" class above): opens and closes the menu it controls, aria-expanded telling screen
     readers; Escape closes it and returns to the button. */
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
      var inside = menu.contains(document.activeElement) || document.activeElement === button;
      if (event.key === "Escape" && isOpen() && inside) {
        setOpen(false);
        button.focus();
      }
    });
  }

  /* A "Copy" button beside text to be copied (the authenticator app's key): hidden without
     JavaScript, where the text itself can be selected. `data-copy` names the element whose
     text is copied; the element `[data-copy-status=<same id>]` then says `data-copied`. */
  function copyButtons() {
    if (!navigator.clipboard) {
      return;
    }
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) {
        return;
      }
      var status = document.querySelector(
        "[data-copy-status='" + button.getAttribute("data-copy") + "']"
      );
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          if (status) {
            status.textContent = button.getAttribute("data-copied") || "";
          }
        }, function () {
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        });
      });
    });
  }

  /* "No, go back" on a confirmation page: going back in the browser's history brings the
     person back to the form as they left it, with what they had typed (a plain link reloads
     the page empty). Without JavaScript, or coming from elsewhere, the link itself is used. */
  function historyBackLinks() {
    document.querySelectorAll("a[data-history-back]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (window.history.length > 1 && document.referrer.indexOf(window.location.origin + "/") === 0) {
          event.preventDefault();
          window.history.back();
        }
      });
    });
  }

  /* A heading that says what the page is about after an action (the receipt after sending in,
     a save refused because someone else saved first) takes focus when the page loads, so a
     screen reader reads it first. The heading carries `data-focus-on-load` and tabindex="-1". */
  function focusOnLoad() {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) {
      target.focus();
      return true;
    }
    return false;
  }

  function start() {
    setUpMenuButton();
    historyBackLinks();
    copyButtons();
    openDetailsWithErrors();
    if (!focusErrorSummary() && !focusOnLoad()) {
      focusPageMessages();
    }
    guardUnsavedChanges();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
