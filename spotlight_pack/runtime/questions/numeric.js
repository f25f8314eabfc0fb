// numeric: a typed number (a decimal point or comma, at most ten digits before it and seven after,
// as SCORM 2004's real(10,7)); right when it lies within the key's min..max.

function numericValue(text) {
  var match = /^([-\u2212]?)0*(\d{1,10})(?:[.,](\d{1,7}))?$/.exec(text.replace(/\s/g, ""));
  if (!match) return null;
  var fraction = (match[3] || "").replace(/0+$/, "");
  var value = match[2] + (fraction ? "." + fraction : "");
  return (match[1] && /[1-9]/.test(value) ? "-" : "") + value;
}

quizKinds.numeric = {
  arrange: function () {
    // nothing to reorder
  },
  read: function (q, el) {
    return numericValue(el.querySelector(".text-answer").value);
  },
  write: function (q, el, response) {
    el.querySelector(".text-answer").value = response || "";
  },
  lock: function (q, el, locked) {
    el.querySelector(".text-answer").readOnly = locked;
  },
  correct: function (q, key, response) {
    var value = parseFloat(response);
    return (key.min === null || value >= parseFloat(key.min)) && (key.max === null || value <= parseFloat(key.max));
  },
  encode: function (q, response) {
    return response.replace(".", "_");
  },
  decode: function (q, text) {
    return numericValue(text.replace("_", "."));
  },
  track: function (q, response) {
    return { scorm12: response, scorm2004: response, xapi: response };
  },
  components: function () {
    return {};
  },
  reveal: function (q, el, sealed, response, text) {
    var key = el.querySelector(".key");
    var answer = "";
    if (sealed) {
      var range = sealed.key;
      answer = range.min === range.max ? range.min : range.min === null ? "\u2264 " + range.max
        : range.max === null ? "\u2265 " + range.min : range.min + " \u2013 " + range.max;
    }
    key.textContent = sealed ? text("correctAnswer", { answer: answer }) : "";
    key.hidden = !sealed;
  },
  problem: function (q, el, text) {
    var typed = el.querySelector(".text-answer").value.trim();
    var error = el.querySelector(".input-error");
    var message = typed && numericValue(typed) === null ? text("notANumber") : "";
    error.textContent = message;
    error.hidden = !message;
    return message;
  }
};
