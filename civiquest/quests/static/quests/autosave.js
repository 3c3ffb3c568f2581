/* The quest step's autosave tells the truth. htmx posts the form on every change; this script
   says "Enregistrement…" while the request is in flight, lets the server's "Brouillon enregistré
   à HH:MM" through only when the answer carries "X-Autosave: saved", and on anything else (network
   error, timeout, 4xx/5xx, the sign-in page a lapsed session is redirected to) says the save
   failed and shows "Réessayer", without touching the inputs. While a change is not confirmed
   saved, leaving the page asks first. Texts come translated from the form's data attributes.
   No inline script and no hx-on: the content security policy forbids them.

   Validation never runs while the citizen types (issue 20): a field is saved, hence checked, when
   it is left. Chromium fires "change" on a date input at every complete date typed (0001, 0019,
   0196, 1962): while the input keeps the focus, that change is held back and sent on leaving it.
   The server's messages for the fields are then shown on each field, the DSFR way
   (fr-input-group--error, an fr-error-text whose id the inputs' aria-describedby names). */
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
    // Each save says how many edits it holds ("edit_seq", with the page's "edit_page" token): an
    // autosave still in flight when the form is submitted can reach the server after the submit,
    // which then drops it instead of putting older answers over the later ones.
    var seqInput = form.querySelector("[data-edit-seq]");
    form.addEventListener("submit", function () {
      // A plain submit saves everything itself: leaving for its answer is no loss.
      submitting = true;
      held = null;
      seqInput.value = String(edits + 1);
    });

    // "change" while the input still has the focus (a date being typed): held until it is left.
    var held = null;
    var KEPT_TYPES = /^(radio|checkbox|file|hidden|submit|button|reset|image)$/;
    form.addEventListener(
      "change",
      function (event) {
        var input = event.target;
        if (event.cqLeft || input.tagName !== "INPUT" || KEPT_TYPES.test(input.type)) {
          return;
        }
        if (document.activeElement === input) {
          // Before htmx's listener on this form (capture phase): no save, no check, yet.
          event.stopImmediatePropagation();
          held = input;
          edited();
        }
      },
      true
    );
    form.addEventListener("focusout", function (event) {
      if (held !== null && event.target === held) {
        var left = held;
        held = null;
        var change = new Event("change", { bubbles: true });
        change.cqLeft = true;
        left.dispatchEvent(change);
      }
    });

    // The server's messages on their fields, for the fields its last answer judged.
    function fieldError(name, message) {
      var inputs = Array.prototype.filter.call(form.elements, function (element) {
        return element.name === name;
      });
      if (inputs.length === 0) {
        return;
      }
      var group = inputs[0].closest(".fr-input-group, .fr-select-group") || inputs[0].closest(".fr-fieldset");
      if (group === null) {
        return;
      }
      var errorClass = group.classList.contains("fr-fieldset")
        ? "fr-fieldset--error"
        : group.classList.contains("fr-select-group")
          ? "fr-select-group--error"
          : "fr-input-group--error";
      var errorId = "id_" + name + "-desc-error";
      var box = document.getElementById(errorId);
      inputs.forEach(function (input) {
        var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (token) {
          return token && token !== errorId;
        });
        if (message) {
          described.push(errorId);
          input.setAttribute("aria-invalid", "true");
        } else {
          input.removeAttribute("aria-invalid");
        }
        if (described.length) {
          input.setAttribute("aria-describedby", described.join(" "));
        } else {
          input.removeAttribute("aria-describedby");
        }
      });
      if (!message) {
        group.classList.remove(errorClass);
        if (box !== null) {
          box.remove();
        }
        return;
      }
      group.classList.add(errorClass);
      if (box === null) {
        box = document.createElement("div");
        box.className = "fr-messages-group";
        box.id = errorId;
        group.append(box);
      }
      var text = document.createElement("p");
      text.className = "fr-error-text";
      text.textContent = message;
      box.replaceChildren(text);
    }

    // The fields left with a new value since the page was shown: the ones a save has judged.
    var left = {};
    form.addEventListener("change", function (event) {
      if (event.target.name) {
        left[event.target.name] = true;
      }
    });

    function showFieldErrors() {
      var reported = {};
      status.querySelectorAll("[data-field]").forEach(function (item) {
        reported[item.dataset.field] = item.dataset.message;
        left[item.dataset.field] = true;
      });
      Object.keys(left).forEach(function (name) {
        fieldError(name, reported[name] || "");
      });
    }

    form.addEventListener("htmx:afterSettle", function (event) {
      if (own(event) && event.detail.xhr && event.detail.xhr.getResponseHeader("X-Autosave") === "saved") {
        showFieldErrors();
      }
    });

    form.addEventListener("htmx:configRequest", function (event) {
      if (own(event)) {
        event.detail.timeout = TIMEOUT_MS;
        seqInput.value = String(edits);
        event.detail.parameters.edit_seq = seqInput.value;
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
