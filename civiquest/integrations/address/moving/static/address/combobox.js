/* The address field's combobox (WAI-ARIA 1.2 "combobox with listbox popup", list autocomplete).
   htmx fetches the suggestions into the listbox as the citizen types; this script opens and
   closes it, moves the active option with the arrow keys (aria-activedescendant, focus stays
   in the input), picks with Enter or a click, closes with Escape. Picking fills the input with
   the address label and the hidden input with the signed suggestion; typing again clears it,
   so what is posted is either a picked address or free text. Loaded once per page. */
(function () {
  "use strict";
  if (window.civiquestAddressCombobox) {
    return;
  }
  window.civiquestAddressCombobox = true;

  function parts(root) {
    var input = root.querySelector("[role=combobox]");
    return {
      input: input,
      token: root.querySelector("[data-address-token]"),
      listbox: document.getElementById(input.getAttribute("aria-controls")),
    };
  }

  function options(listbox) {
    return Array.prototype.slice.call(listbox.querySelectorAll("[role=option]"));
  }

  function setActive(p, option) {
    options(p.listbox).forEach(function (item) {
      item.setAttribute("aria-selected", item === option ? "true" : "false");
    });
    if (option) {
      p.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }

  function open(p) {
    if (!options(p.listbox).length) {
      close(p);
      return;
    }
    p.listbox.hidden = false;
    p.input.setAttribute("aria-expanded", "true");
  }

  function close(p) {
    p.listbox.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    setActive(p, null);
  }

  function pick(p, option) {
    p.input.value = option.getAttribute("data-label");
    p.token.value = option.getAttribute("data-token");
    close(p);
    // The step form saves its draft on "change" (htmx autosave).
    p.input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function move(p, step) {
    var items = options(p.listbox);
    if (!items.length) {
      return;
    }
    open(p);
    var current = items.indexOf(document.getElementById(p.input.getAttribute("aria-activedescendant")));
    var next = current === -1 ? (step > 0 ? 0 : items.length - 1) : (current + step + items.length) % items.length;
    setActive(p, items[next]);
  }

  function enhance(root) {
    if (root.getAttribute("data-enhanced")) {
      return;
    }
    root.setAttribute("data-enhanced", "true");
    var p = parts(root);
    // The browser's own address autofill would cover the suggestions.
    p.input.setAttribute("autocomplete", "off");
    p.input.addEventListener("input", function () {
      p.token.value = "";
    });
    p.input.addEventListener("keydown", function (event) {
      var active = document.getElementById(p.input.getAttribute("aria-activedescendant") || "");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (event.altKey) {
          open(p);
          return;
        }
        move(p, event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter") {
        if (!p.listbox.hidden && active) {
          event.preventDefault();
          pick(p, active);
        }
      } else if (event.key === "Escape") {
        if (!p.listbox.hidden) {
          event.preventDefault();
          close(p);
        }
      }
    });
    p.input.addEventListener("blur", function () {
      close(p);
    });
    // Keep the focus in the input when an option is clicked.
    p.listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    p.listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        pick(p, option);
      }
    });
    p.listbox.addEventListener("htmx:afterSwap", function () {
      if (document.activeElement === p.input) {
        open(p);
      } else {
        close(p);
      }
      setActive(p, null);
    });
  }

  function enhanceAll(scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll("[data-address-combobox]"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceAll(document);
    });
  } else {
    enhanceAll(document);
  }
  // Fields swapped in by htmx (a step's fields redrawn when conditions change them).
  document.addEventListener("htmx:load", function (event) {
    enhanceAll(event.target.parentNode || document);
  });
})();
