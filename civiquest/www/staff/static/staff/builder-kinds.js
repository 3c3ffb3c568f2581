// The builder's step and field forms: show only the inputs the chosen type needs, and only
// the condition answers of the chosen field. Without this script every input shows and the
// server ignores those the type (or the chosen condition field) does not use.
(function () {
  "use strict";
  var data = document.getElementById("builder-kind-groups");
  var kind = document.getElementById("id_kind");
  if (!data || !kind || !kind.form) {
    return;
  }
  var form = kind.form;
  var groups = JSON.parse(data.textContent);

  function container(element) {
    if (element.type === "checkbox" && element.closest("fieldset")) {
      return element.closest("fieldset");
    }
    return element.closest(".fr-input-group, .fr-select-group, .fr-checkbox-group");
  }

  function byName(name) {
    var input = form.elements[name];
    if (!input) {
      return null;
    }
    return container(input.tagName ? input : input[0]);
  }

  function updateKind() {
    Object.keys(groups).forEach(function (name) {
      var box = byName(name);
      if (box) {
        box.hidden = groups[name].indexOf(kind.value) === -1;
      }
    });
  }

  var conditionField = document.getElementById("id_condition_field");
  var answers = Array.prototype.slice.call(form.querySelectorAll('input[name="condition_choices"]'));
  var typed = document.getElementById("id_condition_values");

  function updateCondition() {
    if (!conditionField) {
      return;
    }
    var prefix = conditionField.value + ":";
    var offered = 0;
    answers.forEach(function (answer) {
      var own = conditionField.value !== "" && answer.value.indexOf(prefix) === 0;
      answer.closest(".fr-fieldset__element").hidden = !own;
      offered += own ? 1 : 0;
    });
    if (answers.length) {
      container(answers[0]).hidden = offered === 0;
    }
    if (typed) {
      container(typed).hidden = conditionField.value === "" || offered > 0;
    }
    var operator = document.getElementById("id_condition_op");
    if (operator) {
      container(operator).hidden = conditionField.value === "";
    }
  }

  kind.addEventListener("change", updateKind);
  if (conditionField) {
    conditionField.addEventListener("change", updateCondition);
  }
  updateKind();
  updateCondition();
})();
