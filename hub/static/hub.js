/* 再犯防止 連携調査ハブ — small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* ---- The rule language of forms/expression, for `relevant` in the browser ----------------
     A port of forms/expression/evaluate.py (the tests run both over generated expressions).
     Values are strings, numbers, booleans and dates ({days: n}, days since 1970-01-01). A value
     this page cannot read as the server would (a date typed as R3.4.1, say) throws UNKNOWN, and the
     field it decides is shown: the server has the last word. */
  var UNKNOWN = { unknown: true };
  var NUMBER = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
  var DAY = 86400000;
  var FIRST_DAY = -719162;  /* 0001-01-01, as Python's date.min */
  var LAST_DAY = 2932896;   /* 9999-12-31 */

  function isDate(v) { return v !== null && typeof v === "object" && typeof v.days === "number"; }

  function isoDate(text) {
    var m = /^\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*$/.exec(text);
    if (!m) { return null; }
    var y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
    var t = Date.UTC(y, mo - 1, d);
    var back = new Date(t);
    if (y < 1 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
      return null;
    }
    return { days: Math.round(t / DAY) };
  }

  function asDate(v) {
    if (isDate(v)) { return v; }
    return typeof v === "string" ? isoDate(v) : null;
  }

  function toBoolean(v) {
    if (typeof v === "boolean") { return v; }
    if (typeof v === "number") { return !(v === 0 || isNaN(v)); }
    if (isDate(v)) { return true; }
    return v !== "";
  }

  function toNumber(v) {
    if (typeof v === "boolean") { return v ? 1 : 0; }
    if (typeof v === "number") { return v; }
    if (isDate(v)) { return v.days; }
    var text = v.trim();
    return NUMBER.test(text) ? parseFloat(text) : NaN;
  }

  function pad(n, width) { var s = String(n); while (s.length < width) { s = "0" + s; } return s; }

  function toText(v) {
    if (typeof v === "boolean") { return v ? "true" : "false"; }
    if (typeof v === "number") {
      if (isNaN(v)) { return "NaN"; }
      if (!isFinite(v)) { return v > 0 ? "Infinity" : "-Infinity"; }
      return positional(String(v === Math.trunc(v) ? Math.trunc(v) : v));
    }
    if (isDate(v)) {
      var d = new Date(v.days * DAY);
      return pad(d.getUTCFullYear(), 4) + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2);
    }
    return v;
  }

  /* "1.5e-7" as "0.00000015": numbers are written without an exponent, as on the server. */
  function positional(text) {
    var m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
    if (!m) { return text; }
    var digits = m[2] + (m[3] || ""), point = m[2].length + Number(m[4]);
    if (point <= 0) { return m[1] + "0." + new Array(1 - point).join("0") + digits; }
    if (point >= digits.length) { return m[1] + digits + new Array(point - digits.length + 1).join("0"); }
    return m[1] + digits.slice(0, point) + "." + digits.slice(point);
  }

  function words(v) { return toText(v).split(/\s+/).filter(Boolean); }

  function equal(a, b) {
    if (typeof a === "boolean" || typeof b === "boolean") { return toBoolean(a) === toBoolean(b); }
    if (typeof a === "number" || typeof b === "number") { return toNumber(a) === toNumber(b); }
    if (isDate(a) || isDate(b)) {
      var x = asDate(a), y = asDate(b);
      return x !== null && y !== null && x.days === y.days;
    }
    return a === b;
  }

  function ordered(op, x, y) {
    if (op === "<") { return x < y; }
    if (op === "<=") { return x <= y; }
    if (op === ">") { return x > y; }
    return x >= y;
  }

  function compare(op, a, b) {
    if (isDate(a) || isDate(b)) {
      var x = asDate(a), y = asDate(b);
      if (x !== null && y !== null) { return ordered(op, x.days, y.days); }
    }
    var m = toNumber(a), n = toNumber(b);
    return !(isNaN(m) || isNaN(n)) && ordered(op, m, n);
  }

  /* x × 10^d on the number as written (1.005 shifted by 2 is 100.5, not 100.49999…), as the
     server's round() reads repr(x) as a Decimal. */
  function shifted(x, d) {
    var parts = String(x).split("e");
    return Number(parts[0] + "e" + (Number(parts[1] || 0) + d));
  }

  function whole(v) { var x = toNumber(v); return isFinite(x) ? Math.trunc(x) : x; }

  /* min/max of numbers: NaN when any argument is not one (an empty answer), as ODK. */
  function extreme(args, pick) {
    var numbers = Array.prototype.map.call(args, toNumber);
    return numbers.some(isNaN) ? NaN : pick.apply(null, numbers);
  }

  var FUNCTIONS = {
    "selected": function (a, code) { return words(a).indexOf(toText(code).trim()) !== -1; },
    "count-selected": function (a) { return words(a).length; },
    "not": function (v) { return !toBoolean(v); },
    "string-length": function (v) { return Array.from(toText(v)).length; },
    "coalesce": function (a, b) { return toText(a) !== "" ? a : b; },
    "contains": function (a, b) { return toText(a).indexOf(toText(b)) !== -1; },
    "starts-with": function (a, b) { return toText(a).slice(0, toText(b).length) === toText(b); },
    "ends-with": function (a, b) {
      var t = toText(a), p = toText(b);
      return p === "" || t.slice(-p.length) === p;
    },
    "number": toNumber,
    "int": whole,
    "string": toText,
    "boolean": toBoolean,
    "date": function (v) {
      if (typeof v === "string") { return asDate(v) || ""; }
      var x = toNumber(v);
      return isNaN(x) || !(x >= FIRST_DAY && x < LAST_DAY + 1) ? "" : { days: Math.floor(x) };
    },
    "abs": function (v) { return Math.abs(toNumber(v)); },
    "floor": function (v) { return Math.floor(toNumber(v)); },
    "ceiling": function (v) { return Math.ceil(toNumber(v)); },
    "min": function () { return extreme(arguments, Math.min); },
    "max": function () { return extreme(arguments, Math.max); },
    "substr": function (text, start, end) {
      var chars = Array.from(toText(text));
      var first = whole(start), last = whole(end === undefined ? chars.length : end);
      if (isNaN(first) || isNaN(last)) { return ""; }
      first = Math.min(Math.max(first, 0), chars.length);
      last = Math.min(Math.max(last, 0), chars.length);
      return first < last ? chars.slice(first, last).join("") : "";
    },
    "normalize-space": function (v) { return words(v).join(" "); },
    "round": function (v, digits) {
      var x = toNumber(v), d = digits === undefined ? 0 : whole(digits);
      if (isNaN(d)) { return NaN; }
      if (!isFinite(x) || !isFinite(d) || (Math.abs(x) >= 1e15 && d >= 0)) { return x; }
      d = Math.max(-15, Math.min(15, d));
      var r = shifted(Math.round(shifted(Math.abs(x), d)), -d);
      return x < 0 || Object.is(x, -0) ? -r : r;
    },
    "selected-at": function (a, index) {
      var codes = words(a), at = whole(index);
      return !isNaN(at) && at >= 0 && at < codes.length ? codes[at] : "";
    },
    /* forms/expression/patterns.py: a search, ASCII classes as in JavaScript's own; a pattern
       this browser reads otherwise (or not at all) leaves the decision to the server. */
    "regex": function (text, pattern) {
      var source = toText(pattern);
      if (/\(\?P|\{,|\\[AZz]|\(\?[aiLmsux-]/.test(source)) { throw UNKNOWN; }
      try {
        return new RegExp(source).test(toText(text));
      } catch (e) {
        throw UNKNOWN;
      }
    }
  };

  /* tree: the JSON of forms.expression.to_json; env: {resolve(name), current, today}. */
  function evaluate(tree, env) {
    var op = tree[0];
    if (op === "s") { return tree[1]; }
    if (op === "n") { return Number(tree[1]); }
    if (op === "r") { return env.resolve(tree[1]); }
    if (op === ".") { return env.current; }
    if (op === "neg") { return -toNumber(evaluate(tree[1], env)); }
    if (op === "f") { return call(tree[1], tree.slice(2), env); }
    if (op === "or") { return truthy(tree[1], env) || truthy(tree[2], env); }
    if (op === "and") { return truthy(tree[1], env) && truthy(tree[2], env); }
    var a = evaluate(tree[1], env), b = evaluate(tree[2], env);
    if (op === "=") { return equal(a, b); }
    if (op === "!=") { return !equal(a, b); }
    if (op === "<" || op === "<=" || op === ">" || op === ">=") { return compare(op, a, b); }
    var x = toNumber(a), y = toNumber(b);
    if (op === "+") { return x + y; }
    if (op === "-") { return x - y; }
    if (op === "*") { return x * y; }
    if (op === "div") { return x / y; }
    return x % y;
  }

  function call(name, args, env) {
    if (name === "if") { return evaluate(truthy(args[0], env) ? args[1] : args[2], env); }
    if (name === "true") { return true; }
    if (name === "false") { return false; }
    if (name === "today") {
      if (!env.today) { throw UNKNOWN; }
      return env.today;
    }
    if (name === "choice-column") {
      if (!env.choice) { throw UNKNOWN; }
      var value = env.choice[args[0][1]];
      return value === undefined ? "" : value;
    }
    var values = args.map(function (arg) { return evaluate(arg, env); });
    return FUNCTIONS[name].apply(null, values);
  }

  function truthy(tree, env) { return toBoolean(evaluate(tree, env)); }

  window.hubRules = { evaluate: evaluate, truthy: truthy, typedDate: typedDate };

  /* ---- Reading the form as the server reads it ------------------------------------------- */

  function typedNumber(text) {
    var t = text.normalize("NFKC").trim().replace(/[‐‑‒–—―−ー]/g, "-").replace(/,/g, "");
    if (t === "") { return ""; }
    if (!NUMBER.test(t)) { throw UNKNOWN; }
    return parseFloat(t);
  }

  /* A date as typed: 2021-04-01 (or with / or .), or 和暦 as the pages write it (令和3年4月1日,
     元年 for the first year) with the eras the server sends (`eras`: [name, first day] in
     order, forms.normalize.ERAS). Anything else the server may still read: UNKNOWN. */
  function typedDate(text, eras) {
    var t = text.normalize("NFKC").replace(/\s+/g, "");
    if (t === "") { return ""; }
    var m = /^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$/.exec(t);
    var d = m ? isoDate(m[1] + "-" + pad(Number(m[2]), 2) + "-" + pad(Number(m[3]), 2)) : null;
    if (d === null) { d = warekiDate(t, eras || []); }
    if (d === null) { throw UNKNOWN; }
    return d;
  }

  function warekiDate(t, eras) {
    var m = /^(\D+?)(元|[0-9]{1,2})年([0-9]{1,2})月([0-9]{1,2})日$/.exec(t);
    if (!m) { return null; }
    for (var i = 0; i < eras.length; i += 1) {
      if (eras[i][0] !== m[1]) { continue; }
      var start = isoDate(eras[i][1]);
      var next = i + 1 < eras.length ? isoDate(eras[i + 1][1]) : null;
      var year = Number(eras[i][1].slice(0, 4)) + (m[2] === "元" ? 1 : Number(m[2])) - 1;
      var d = isoDate(pad(year, 4) + "-" + pad(Number(m[3]), 2) + "-" + pad(Number(m[4]), 2));
      if (d === null || d.days < start.days || (next !== null && d.days >= next.days)) {
        return null;
      }
      return d;
    }
    return null;
  }

  /* The answer to question `name` as an expression sees it (forms.rules.answer_value). */
  function answerOf(form, name) {
    var field = form.querySelector('[data-question="' + name + '"]');
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    if (!field || inputs.length === 0) { return ""; }
    var kind = field.dataset.kind;
    if (inputs[0].tagName === "SELECT") { return inputs[0].value; }
    var checked = Array.prototype.filter.call(inputs, function (i) { return i.checked; });
    if (kind === "one_of" || kind === "many_of") {
      return checked.map(function (i) { return i.value; }).join(" ");
    }
    if (kind === "bool") { return checked.length > 0 ? "OK" : ""; }
    var text = inputs[0].value;
    if (kind === "integer" || kind === "decimal") { return typedNumber(text); }
    if (kind === "date") { return typedDate(text, JSON.parse(form.dataset.eras || "[]")); }
    return text.trim();
  }

  function ruleOf(element) {
    return element && element.dataset.relevant ? JSON.parse(element.dataset.relevant) : null;
  }

  /* Questions, notes and groups whose `relevant` does not hold are hidden; the answer of a
     hidden question counts as empty in other rules, as on the server. Hidden fields keep their
     values (the server ignores irrelevant answers on submit); a field with an error is never
     hidden. Rules are re-evaluated until nothing changes: they form no cycle, so that ends. */
  function updateConditional(form) {
    var fields = Array.prototype.slice.call(form.querySelectorAll("[data-question], .question--note"));
    var hidden = {};
    var env = {
      current: "",
      today: isoDate(form.dataset.today || ""),
      resolve: function (name) {
        if (name === "reference_date") {
          var day = isoDate(form.dataset.referenceDate || "");
          if (!day) { throw UNKNOWN; }
          return day;
        }
        return hidden[name] ? "" : answerOf(form, name);
      }
    };
    var holds = function (rule) {
      try { return rule === null || truthy(rule, env); } catch (e) {
        if (e === UNKNOWN) { return true; }
        throw e;
      }
    };
    for (var round = 0; round <= fields.length; round += 1) {
      var changed = false;
      fields.forEach(function (field) {
        var group = field.parentElement.closest("section[data-relevant]");
        var shown = holds(ruleOf(group)) && holds(ruleOf(field));
        var name = field.dataset.question || field.id;
        if (hidden[name] !== !shown) { changed = true; }
        hidden[name] = !shown;
        if (field.dataset.calculation && calculate(field, shown, env)) { changed = true; }
      });
      if (!changed) { break; }
    }
    var before = visibleQuestions(form);
    fields.forEach(function (field) {
      var name = field.dataset.question || field.id;
      field.hidden = hidden[name] && field.dataset.hasError !== "true";
      if (field.dataset.choiceFilter) { filterChoices(field, env); }
    });
    Array.prototype.forEach.call(form.querySelectorAll("section[data-relevant]"), function (section) {
      section.hidden = !holds(ruleOf(section)) && !section.querySelector('[data-has-error="true"]');
    });
    announceConditions(form, before, visibleQuestions(form));
  }

  /* A `calculate` (read-only) shows its value worked out as the server works it out on saving
     (forms.rules.stored_value): a number to 15 digits (forms.rules.calculated_number: 0.1 + 0.2
     is 0.3), written without an exponent, whether the question is a number or a text — NaN or
     infinity (0 div 0) nothing in either, never "NaN" —; other text as it is; nothing when it
     is not asked or cannot be worked out here. Whether its shown value changed. */
  function calculate(field, shown, env) {
    var input = field.querySelector("input");
    var text = "";
    if (shown) {
      try {
        var value = evaluate(JSON.parse(field.dataset.calculation), env);
        if (field.dataset.kind === "decimal") {
          var x = toNumber(value);
          text = isFinite(x) ? toText(fifteenDigits(x)) : "";
        } else {
          text = typeof value !== "number" ? toText(value)
            : isFinite(value) ? toText(fifteenDigits(value)) : "";
        }
      } catch (e) {
        if (e !== UNKNOWN) { throw e; }
      }
    }
    if (!input || input.value === text) { return false; }
    input.value = text;
    return true;
  }

  function fifteenDigits(x) { return Number(x.toPrecision(15)); }

  /* The questions a person can see now (a hidden group hides its questions too). */
  function visibleQuestions(form) {
    return Array.prototype.filter.call(form.querySelectorAll("[data-question]"), function (field) {
      return !field.closest("[hidden]");
    });
  }

  /* An answer that brings up questions below it, or hides some, is said in the form's status
     region (WCAG 4.1.3): a screen reader hears it without the focus moving from the answer. Not
     on the first run, when the page only shows what the server already showed. */
  function announceConditions(form, before, after) {
    var status = form.querySelector("[data-conditions-status]");
    if (!status) { return; }
    if (!form.dataset.conditionsReady) { form.dataset.conditionsReady = "1"; return; }
    var more = after.some(function (f) { return before.indexOf(f) < 0; });
    var fewer = before.some(function (f) { return after.indexOf(f) < 0; });
    if (!more && !fewer) { return; }
    var text = more ? status.dataset.more : status.dataset.fewer;
    if (status.textContent !== text) { status.textContent = text; return; }
    status.textContent = "";  /* the same words again: emptied first, so they are said again */
    window.setTimeout(function () { status.textContent = text; }, 100);
  }

  /* `choice_filter`: a choice is offered when the rule holds for it (its columns in
     data-choice, other answers as the rules see them). One not offered is hidden, unless it is
     the one chosen: that stays in sight, and the server says why it cannot be kept. */
  function filterChoices(field, env) {
    var rule = JSON.parse(field.dataset.choiceFilter);
    var options = field.querySelectorAll("[data-choice]");
    Array.prototype.forEach.call(options, function (option) {
      var offered;
      try {
        offered = truthy(rule, Object.assign({}, env, { choice: JSON.parse(option.dataset.choice) }));
      } catch (e) {
        if (e !== UNKNOWN) { throw e; }
        offered = true;
      }
      var input = option.tagName === "OPTION" ? option : option.querySelector("input");
      var chosen = option.tagName === "OPTION" ? option.selected : input.checked;
      option.hidden = !offered && !chosen;
      if (option.tagName === "OPTION") { option.disabled = !offered && !chosen; }
    });
    var none = field.querySelector("[data-no-choices]");
    if (none) {
      none.hidden = Array.prototype.some.call(options, function (o) { return !o.hidden; });
    }
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

  /* A double click on a form's button sends it once: a second submit while the first is on its
     way is ignored (a record would be stored twice: a hearing, a case, a referral). The button
     is not disabled — the browser would then leave its name and value out of what is sent —
     and the form takes submits again after a few seconds (a download leaves the page where it
     is) or when the page is shown again from the history. Registered after the confirmations,
     so a cancelled confirmation does not count as sent. */
  function sendFormsOnce() {
    var forms = document.querySelectorAll("form");
    Array.prototype.forEach.call(forms, function (form) {
      if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
      form.addEventListener("submit", function (event) {
        if (event.defaultPrevented) { return; }
        if (form.dataset.sending) {
          event.preventDefault();
          return;
        }
        form.dataset.sending = "1";
        form.setAttribute("aria-busy", "true");
        window.setTimeout(function () { release(form); }, 5000);
      });
    });
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(forms, release);
    });
  }

  function release(form) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
  }

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", followErrorLink);
    }
  }

  /* A summary's link to a text field: the browser would scroll the field itself to the top of
     the screen, with its label, hint and message above it out of sight (on a phone, an empty
     red box). Bring the label (or a choice group's legend) into view instead and focus the
     field without scrolling again, as GOV.UK's error summary does. */
  function followErrorLink(event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) { return; }
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) { return; }
    var field = target, caption;
    if (isControl(target)) {
      caption = captionOf(target);
    } else {
      /* A link to a field's wrapper (the referral pages name a field by its block): the
         browser would only scroll, the focus left on the page. Focus the wrapper's first
         control, with the wrapper — its label and message — in view. */
      field = target.querySelector("input:not([type=hidden]), select, textarea");
      caption = target;
    }
    if (!field || !caption) { return; }
    event.preventDefault();
    caption.scrollIntoView();
    field.focus({ preventScroll: true });
  }

  function isControl(element) {
    return /^(INPUT|SELECT|TEXTAREA|BUTTON|LEGEND)$/.test(element.tagName) || element.hasAttribute("tabindex");
  }

  function captionOf(field) {
    if (field.tagName === "LEGEND") { return null; }  /* focused where it is: the heading */
    var group = field.closest("fieldset");
    var legend = group ? group.querySelector("legend") : null;
    if (legend && (field.type === "radio" || field.type === "checkbox")) { return legend; }
    return document.querySelector("label[for='" + field.id + "']") || field.closest("label") || legend;
  }

  /* ---- The warning before the session times out (WCAG 2.2.1 Timing Adjustable) -------------
     The page says how long its session has left; a little before the end, the status URL says
     it again (another tab may have kept the session alive; asking is not activity), and if the
     end is near the warning shows with a button that keeps the session (a POST: that request is
     the activity). Nothing on the page is touched: what is typed stays in its field. Whenever
     the tab is looked at again the status is asked too: if the same person signed in again
     meanwhile (in another tab), the page's forms get the new session's CSRF token, so what was
     typed here can still be sent; someone else signed in counts as signed out. */
  function watchSession() {
    var box = document.querySelector("[data-session-warning]");
    if (!box || !window.fetch) { return; }
    var warnMs = Number(box.dataset.warn) * 1000;
    var idleEnd = 0, absoluteEnd = 0, timer = null, ticking = null, returnTo = null, shown = "";
    var out = false;  /* the session of this page ended */

    function setEnds(idleSeconds, absoluteSeconds) {
      idleEnd = Date.now() + idleSeconds * 1000;
      absoluteEnd = Date.now() + absoluteSeconds * 1000;
    }

    function end() { return Math.min(idleEnd, absoluteEnd); }

    function show(state) {
      shown = state;
      Array.prototype.forEach.call(box.querySelectorAll("[data-when]"), function (part) {
        part.hidden = part.dataset.when.split(" ").indexOf(state) < 0;
      });
      if (box.hidden) {
        returnTo = document.activeElement;
        box.hidden = false;
      }
      var first = box.querySelector("button:not([hidden]), a:not([hidden])");
      (state === "ended" ? box : first || box).focus();
    }

    function hide() {
      shown = "";
      box.hidden = true;
      clearInterval(ticking);
      ticking = null;
      if (returnTo && document.body.contains(returnTo)) { returnTo.focus(); }
      returnTo = null;
    }

    function countdown() {
      var left = Math.max(0, Math.round((end() - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      var text = (m > 0 ? box.dataset.minutes : box.dataset.seconds)
        .replace("{m}", String(m)).replace("{s}", m > 0 && s < 10 ? "0" + s : String(s));
      box.querySelector("[data-countdown]").textContent = text;
      if (left === 0) { clearInterval(ticking); ticking = null; ask(); }
    }

    function warn() {
      show(absoluteEnd <= idleEnd ? "absolute" : "idle");
      countdown();
      if (!ticking) { ticking = setInterval(countdown, 1000); }
    }

    function ended() {
      out = true;
      clearTimeout(timer);
      clearInterval(ticking);
      ticking = null;
      show("ended");
    }

    function takeToken(token) {
      box.dataset.csrf = token;
      Array.prototype.forEach.call(
        document.querySelectorAll("input[name='csrf_token']"),
        function (field) { field.value = token; }
      );
    }

    function update(state) {
      if (!state || !state.signed_in || String(state.user) !== box.dataset.user) {
        ended();
        return;
      }
      var back = out;
      out = false;
      takeToken(state.csrf_token);
      setEnds(state.idle_seconds, state.absolute_seconds);
      if (back) {
        show("back");
        schedule();
      } else if (end() - Date.now() > warnMs + 1000) {
        if (!box.hidden) { hide(); }
        schedule();
      } else {
        warn();
      }
    }

    function ask() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(update, function () { if (end() <= Date.now()) { ended(); } else { warn(); } });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(ask, Math.max(0, end() - warnMs - Date.now()));
    }

    box.querySelector("[data-extend]").addEventListener("click", function () {
      fetch(box.dataset.statusUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRFToken": box.dataset.csrf, Accept: "application/json" }
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (state) { if (state) { update(state); } else { ask(); } }, ask);
    });  /* refused (a token of an older session, say): the status says what is true now */
    box.querySelector("[data-dismiss]").addEventListener("click", function () {
      var was = shown;
      hide();
      if (was === "absolute") {  /* the 12 hours cannot be extended: say so when they are over */
        clearTimeout(timer);
        timer = setTimeout(ask, Math.max(0, end() - Date.now()) + 2000);
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { ask(); }
    });
    setEnds(Number(box.dataset.idleLeft), Number(box.dataset.absoluteLeft));
    schedule();
  }

  /* ---- Guidance open on paper -------------------------------------------------------------
     hub.css opens a folded guidance_hint when printing where the browser lets CSS do it; this
     opens the <details> themselves just before printing and folds back, after, those it opened. */
  function openGuidanceForPrint() {
    window.addEventListener("beforeprint", function () {
      var closed = document.querySelectorAll("details.guidance:not([open])");
      Array.prototype.forEach.call(closed, function (details) {
        details.open = true;
        details.dataset.openedForPrint = "true";
      });
    });
    window.addEventListener("afterprint", function () {
      var opened = document.querySelectorAll("details.guidance[data-opened-for-print]");
      Array.prototype.forEach.call(opened, function (details) {
        details.open = false;
        delete details.dataset.openedForPrint;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceQuestionnaires();
    openGuidanceForPrint();
    confirmDangerousActions();
    sendFormsOnce();
    focusErrorSummary();
    watchSession();
  });
})();
