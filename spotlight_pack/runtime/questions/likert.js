// likert: a survey scale, one radio button per point in written order; never scored, never
// shuffled. SCORM 1.2 names a point by its position (0-9); SCORM 2004 and xAPI by id.

quizKinds.likert = {
  arrange: function () {
    // the order of a scale carries its meaning
  },
  read: function (q, el) {
    var chosen = el.querySelector(".scale input:checked");
    return chosen ? chosen.value : null;
  },
  write: function (q, el, response) {
    Array.prototype.forEach.call(el.querySelectorAll(".scale input"), function (input) { input.checked = input.value === response; });
  },
  lock: function (q, el, locked) {
    Array.prototype.forEach.call(el.querySelectorAll(".scale input"), function (input) { input.disabled = locked; });
  },
  correct: function () {
    return null;
  },
  encode: function (q, response) {
    return STATE_DIGITS.charAt(q.scale.map(function (point) { return point.id; }).indexOf(response) + 1);
  },
  decode: function (q, text) {
    var point = q.scale[STATE_DIGITS.indexOf(text) - 1];
    return point ? point.id : null;
  },
  track: function (q, response) {
    var index = q.scale.map(function (point) { return point.id; }).indexOf(response);
    return { scorm12: "0123456789".charAt(index), scorm2004: response, xapi: response };
  },
  components: function (q) {
    return { scale: quizComponents(q.scale, quizLocale()) };
  },
  reveal: function () {
    // a survey has no key
  },
  problem: function () {
    return "";
  }
};
