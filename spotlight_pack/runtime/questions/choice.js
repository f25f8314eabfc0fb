// single and multiple (truefalse.js builds on it): options with radio buttons or check boxes,
// shuffled per attempt unless the question says shuffle: false. Responses are option ids in the
// order of the source: SCORM 1.2 "a,c"; SCORM 2004 and xAPI "a[,]c".

function choiceKind() {
  function inputs(el) {
    return Array.prototype.slice.call(el.querySelectorAll(".option input"));
  }

  return {
    arrange: function (q, el, random) {
      var options = quizPristine(el, ".option");
      quizReorder(el.querySelector(".options"), q.shuffle ? quizShuffle(options, random) : options);
    },
    read: function (q, el) {
      var chosen = inputs(el).filter(function (input) { return input.checked; }).map(function (input) { return input.value; });
      var ids = q.options.map(function (option) { return option.id; }).filter(function (id) { return chosen.indexOf(id) >= 0; });
      return ids.length ? ids : null;
    },
    write: function (q, el, response) {
      inputs(el).forEach(function (input) { input.checked = !!response && response.indexOf(input.value) >= 0; });
    },
    lock: function (q, el, locked) {
      inputs(el).forEach(function (input) { input.disabled = locked; });
    },
    correct: function (q, key, response) {
      return key.length === response.length && key.every(function (id) { return response.indexOf(id) >= 0; });
    },
    // a bitmask over the options, in two digits (at most ten options)
    encode: function (q, response) {
      var mask = q.options.reduce(function (value, option, i) {
        return response.indexOf(option.id) >= 0 ? value | (1 << i) : value;
      }, 0);
      return stateEncodeNumber(mask, 2);
    },
    decode: function (q, text) {
      var mask = stateDecodeNumber(text);
      var ids = q.options.filter(function (option, i) { return (mask & (1 << i)) !== 0; }).map(function (option) { return option.id; });
      return ids.length ? ids : null;
    },
    track: function (q, response) {
      return { scorm12: response.join(","), scorm2004: response.join("[,]"), xapi: response.join("[,]") };
    },
    components: function (q) {
      return { choices: quizComponents(q.options, quizLocale()) };
    },
    reveal: function (q, el, sealed, response, text) {
      Array.prototype.forEach.call(el.querySelectorAll(".option"), function (option) {
        var id = option.getAttribute("data-option");
        var feedback = option.querySelector(".option-feedback");
        var mark = option.querySelector(".key-mark");
        if (mark) mark.parentNode.removeChild(mark);
        feedback.innerHTML = sealed && response && response.indexOf(id) >= 0 && sealed.options[id] ? sealed.options[id] : "";
        feedback.hidden = !feedback.innerHTML;
        if (sealed && sealed.key.indexOf(id) >= 0) {
          mark = document.createElement("span");
          mark.className = "key-mark";
          mark.textContent = " " + text("correctOption");
          option.querySelector("label").appendChild(mark);
        }
      });
    },
    problem: function () {
      return "";
    }
  };
}

quizKinds.single = choiceKind();
quizKinds.multiple = choiceKind();
