// The builder's step and field forms: show only the inputs the chosen type needs.
// Without this script every input shows and the server ignores those the type does not use.
(function () {
  "use strict";
  var data = document.getElementById("builder-kind-groups");
  var kind = document.getElementById("id_kind");
  if (!data || !kind || !kind.form) {
    return;
  }
  var groups = JSON.parse(data.textContent);

  function container(name) {
    var input = kind.form.elements[name];
    if (!input) {
      return null;
    }
    var element = input.tagName ? input : input[0];
    if (element.type === "checkbox" && element.closest("fieldset")) {
      return element.closest("fieldset");
    }
    return element.closest(".fr-input-group, .fr-select-group, .fr-checkbox-group");
  }

  function update() {
    Object.keys(groups).forEach(function (name) {
      var box = container(name);
      if (box) {
        box.hidden = groups[name].indexOf(kind.value) === -1;
      }
    });
  }

  kind.addEventListener("change", update);
  update();
})();
