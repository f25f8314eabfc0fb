// matching: a select of targets per source (no drag and drop). Sources and targets are shuffled per
// attempt unless the question says shuffle: false. SCORM 1.2 names a source by its position (0-9)
// and a target by its letter in the page's target list ("0.b,1.a"); SCORM 2004 and xAPI by id
// ("s1[.]t2[,]s2[.]t1").

quizKinds.matching = {
  arrange: function (q, el, random) {
    var pairs = quizPristine(el, ".pair");
    quizReorder(el.querySelector(".pairs"), q.shuffle ? quizShuffle(pairs, random) : pairs);
    var order = q.shuffle ? quizShuffle(q.targets.map(function (target, i) { return i; }), random) : null;
    Array.prototype.forEach.call(el.querySelectorAll(".pair select"), function (select) {
      var options = quizPristine(select, 'option:not([value=""])');
      quizReorder(select, order ? order.map(function (i) { return options[i]; }) : options);
    });
  },
  read: function (q, el) {
    var response = q.sources.map(function (source) {
      return el.querySelector('.pair[data-source="' + source.id + '"] select').value;
    });
    return response.indexOf("") >= 0 ? null : response;
  },
  write: function (q, el, response) {
    q.sources.forEach(function (source, i) {
      el.querySelector('.pair[data-source="' + source.id + '"] select').value = response ? response[i] : "";
    });
  },
  lock: function (q, el, locked) {
    Array.prototype.forEach.call(el.querySelectorAll(".pair select"), function (select) { select.disabled = locked; });
  },
  correct: function (q, key, response) {
    return key.every(function (target, i) { return response[i] === target; });
  },
  // one digit per source: 1 + the target's position, 0 for none
  encode: function (q, response) {
    return response.map(function (id) {
      var index = q.targets.map(function (target) { return target.id; }).indexOf(id);
      return STATE_DIGITS.charAt(index + 1);
    }).join("");
  },
  decode: function (q, text) {
    var response = q.sources.map(function (source, i) {
      var index = STATE_DIGITS.indexOf(text.charAt(i)) - 1;
      return index >= 0 && index < q.targets.length ? q.targets[index].id : "";
    });
    return response.indexOf("") >= 0 ? null : response;
  },
  track: function (q, response) {
    var ids = q.targets.map(function (target) { return target.id; });
    return {
      scorm12: response.map(function (id, i) { return "0123456789".charAt(i) + "." + "abcdefghij".charAt(ids.indexOf(id)); }).join(","),
      scorm2004: response.map(function (id, i) { return q.sources[i].id + "[.]" + id; }).join("[,]"),
      xapi: response.map(function (id, i) { return q.sources[i].id + "[.]" + id; }).join("[,]")
    };
  },
  components: function (q) {
    return { source: quizComponents(q.sources, quizLocale()), target: quizComponents(q.targets, quizLocale()) };
  },
  reveal: function (q, el, sealed, response, text) {
    q.sources.forEach(function (source, i) {
      var key = el.querySelector('.pair[data-source="' + source.id + '"] .pair-key');
      var target = sealed ? q.targets.filter(function (item) { return item.id === sealed.key[i]; })[0] : null;
      key.textContent = target ? text("correctAnswer", { answer: target.text }) : "";
      key.hidden = !target;
    });
  },
  problem: function () {
    return "";
  }
};
