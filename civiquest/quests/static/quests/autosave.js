/* The quest step's autosave tells the truth. htmx posts the form on every change; this script
   says "Enregistrement…" while the request is in flight, lets the server's "Brouillon enregistré
   à HH:MM" through only when the answer carries "X-Autosave: saved", and on anything else (network
   error, timeout, 4xx/5xx, the sign-in page a lapsed session is redirected to) says the save
   failed and shows "Réessayer", without touching the inputs. While a change is not confirmed
   saved, leaving the page asks first. Texts come translated from the form's data attributes.
   No inline script and no hx-on: the content security policy forbids them. */
(function () {
  "use strict";
  if (window.civiquestAutosave) {
    return;
  }
  window.civiquestAutosave = true;

  var TIMEOUT_MS = 10000;

  function setup(form) {
    var status = document.getElementById("save-status");
    var retry = form.querySelector("[data-autosave-retry]");
    // The design system's buttons are display:inline-flex, which the hidden attribute does not beat.
    var retryBox = retry.parentElement;
    // Each edit bumps "edits"; a confirmed save clears the edits made before its request left.
    var edits = 0;
    var savedEdits = 0;
    var sentEdits = 0;
    var submitting = false;

    function own(event) {
      // Requests of elements inside the form (the address suggestions) are not saves. (htmx sets
      // detail.elt to where it fires the event, the swap target for beforeSwap: ask the request.)
      var config = event.detail && (event.detail.requestConfig || event.detail);
      return Boolean(config) && config.elt === form;
    }

    function say(text, failed) {
      var message = document.createElement("p");
      message.className = "fr-message " + (failed ? "fr-message--error" : "fr-message--info");
      message.textContent = text;
      status.replaceChildren(message);
    }

    function failed() {
      say(form.dataset.autosaveFailed, true);
      retryBox.hidden = false;
    }

    function edited() {
      edits += 1;
    }

    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("submit", function () {
      // A plain submit saves everything itself: leaving for its answer is no loss.
      submitting = true;
    });

    form.addEventListener("htmx:configRequest", function (event) {
      if (own(event)) {
        event.detail.timeout = TIMEOUT_MS;
      }
    });

    form.addEventListener("htmx:beforeRequest", function (event) {
      if (!own(event)) {
        return;
      }
      sentEdits = edits;
      retryBox.hidden = true;
      say(form.dataset.autosaveSaving, false);
    });

    form.addEventListener("htmx:beforeSwap", function (event) {
      if (!own(event)) {
        return;
      }
      var verdict = event.detail.xhr.getResponseHeader("X-Autosave");
      if (verdict === "saved" && event.detail.xhr.status >= 200 && event.detail.xhr.status < 300) {
        savedEdits = Math.max(savedEdits, sentEdits);
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      } else if (verdict === "refused") {
        // The server's own explanation (e.g. the quest is no longer editable).
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      } else {
        event.detail.shouldSwap = false;
        failed();
      }
    });

    form.addEventListener("htmx:oobBeforeSwap", function (event) {
      // The fields come back when conditions changed them; never over what was typed since.
      // (Other out-of-band swaps, such as the address suggestions' status, are not ours.)
      var target = event.detail && event.detail.target;
      if (target && target.id === "step-fields" && edits !== sentEdits) {
        event.preventDefault();
      }
    });

    ["htmx:sendError", "htmx:timeout", "htmx:responseError"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        if (own(event)) {
          failed();
        }
      });
    });

    retry.addEventListener("click", function () {
      form.dispatchEvent(new Event("change", { bubbles: true }));
    });

    window.addEventListener("beforeunload", function (event) {
      if (!submitting && edits > savedEdits) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  function start() {
    document.querySelectorAll("form[data-autosave]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
