// sequencing: steps moved with Up/Down buttons (no drag and drop), each move announced. Every
// attempt starts from a random order that is never the correct one. SCORM 1.2 names a step by its
// letter in the page's step list ("c,a,b"); SCORM 2004 and xAPI by id ("s3[,]s1[,]s2").

function sequencingIds(el) {
  return Array.prototype.map.call(el.querySelectorAll(".steps .step"), function (step) {
    return step.getAttribute("data-step");
  });
}

function sequencingPlace(el, ids) {
  var list = el.querySelector(".steps");
  ids.forEach(function (id) { list.appendChild(list.querySelector('.step[data-step="' + id + '"]')); });
}

quizKinds.sequencing = {
  arrange: function (q, el, random) {
    var key = quizUnseal(q).key;
    var ids = quizShuffle(q.steps.map(function (step) { return step.id; }), random);
    if (ids.join() === key.join()) ids.push(ids.shift());
    sequencingPlace(el, ids);
  },
  read: function (q, el) {
    return sequencingIds(el);
  },
  write: function (q, el, response) {
    if (response) sequencingPlace(el, response);
  },
  lock: function (q, el, locked) {
    Array.prototype.forEach.call(el.querySelectorAll(".step button"), function (button) { button.disabled = locked; });
  },
  correct: function (q, key, response) {
    return response.join() === key.join();
  },
  encode: function (q, response) {
    var ids = q.steps.map(function (step) { return step.id; });
    return response.map(function (id) { return STATE_DIGITS.charAt(ids.indexOf(id)); }).join("");
  },
  decode: function (q, text) {
    var response = text.split("").map(function (digit) {
      var step = q.steps[STATE_DIGITS.indexOf(digit)];
      return step ? step.id : "";
    });
    var complete = response.length === q.steps.length && q.steps.every(function (step) { return response.indexOf(step.id) >= 0; });
    return complete ? response : null;
  },
  track: function (q, response) {
    var ids = q.steps.map(function (step) { return step.id; });
    return {
      scorm12: response.map(function (id) { return "abcdefghij".charAt(ids.indexOf(id)); }).join(","),
      scorm2004: response.join("[,]"),
      xapi: response.join("[,]")
    };
  },
  components: function (q) {
    return { choices: quizComponents(q.steps, quizLocale()) };
  },
  reveal: function (q, el, sealed, response, text) {
    var key = el.querySelector(".key");
    var texts = sealed ? sealed.key.map(function (id) {
      return q.steps.filter(function (step) { return step.id === id; })[0].text;
    }) : [];
    key.textContent = sealed ? text("correctAnswer", { answer: texts.join(" \u2192 ") }) : "";
    key.hidden = !sealed;
  },
  problem: function () {
    return "";
  }
};

// Up/Down: move the step, keep the focus on the pressed button, tell screen readers where it went.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest(".step button.up, .step button.down") : null;
  if (!button || button.disabled) return;
  var step = button.closest(".step");
  var list = step.parentNode;
  if (button.classList.contains("up") && step.previousElementSibling) list.insertBefore(step, step.previousElementSibling);
  if (button.classList.contains("down") && step.nextElementSibling) list.insertBefore(step.nextElementSibling, step);
  button.focus();
  var steps = Array.prototype.slice.call(list.children);
  var detail = { text: step.querySelector(".step-text").textContent.trim(), n: steps.indexOf(step) + 1, total: steps.length };
  step.closest("form").dispatchEvent(new CustomEvent("quizmove", { detail: detail }));
});
