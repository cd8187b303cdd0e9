/* 再犯防止 連携調査ハブ — small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* The current answer to a question, read from the form as posted: a code, a list of codes,
     a boolean (a single check box) or the typed text. */
  function answerOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    if (inputs.length === 0) {
      return "";
    }
    var first = inputs[0];
    if (first.type === "radio") {
      var chosen = form.querySelector('[name="' + name + '"]:checked');
      return chosen ? chosen.value : "";
    }
    if (first.type === "checkbox") {
      if (inputs.length === 1 && !first.closest(".question--many_of")) {
        return first.checked;
      }
      return Array.prototype.filter
        .call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
    }
    return first.value.trim();
  }

  /* Mirrors forms.model.Condition.holds. */
  function holds(field, form) {
    var value = answerOf(form, field.dataset.shownIf);
    var values = (field.dataset.shownValues || "").split(" ").filter(Boolean);
    var result;
    if (values.length === 0) {
      result = Array.isArray(value) ? value.length > 0 : Boolean(value);
    } else if (Array.isArray(value)) {
      result = value.some(function (v) { return values.indexOf(v) !== -1; });
    } else {
      result = values.indexOf(value) !== -1;
    }
    return field.dataset.shownNegate === "true" ? !result : result;
  }

  /* Fields whose condition does not hold are hidden (their values stay and are posted; the
     server ignores irrelevant answers on submit). A field with an error is never hidden. */
  function updateConditional(form) {
    var fields = form.querySelectorAll("[data-shown-if]");
    Array.prototype.forEach.call(fields, function (field) {
      field.hidden = !holds(field, form) && field.dataset.hasError !== "true";
    });
  }

  function enhanceQuestionnaires() {
    var forms = document.querySelectorAll("form[data-questionnaire]");
    Array.prototype.forEach.call(forms, function (form) {
      var update = function () { updateConditional(form); };
      form.addEventListener("change", update);
      form.addEventListener("input", update);
      update();
    });
  }

  function confirmDangerousActions() {
    var forms = document.querySelectorAll("form[data-confirm]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) {
          event.preventDefault();
        }
      });
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceQuestionnaires();
    confirmDangerousActions();
    focusErrorSummary();
  });
})();
