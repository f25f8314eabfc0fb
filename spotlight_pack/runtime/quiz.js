// The quiz engine: banks drawn per attempt from a seed, options shuffled per attempt, attempt
// limits, feedback policies, the all-pages gate, scoring. Each question type is a module in
// questions/ that registers itself in quizKinds; nothing here switches on a question's type.
//
// A type module: quizKinds[type] = {
//   arrange(q, el, random)      reorder its parts for this attempt (el: the question's fieldset)
//   read(q, el)                 the learner's response, or null while unanswered
//   write(q, el, response)      show a response (null: none)
//   lock(q, el, locked)         disable or enable its controls
//   correct(q, key, response)   true/false (types whose data says scored: false are never asked)
//   encode(q, response)         a string of [A-Za-z0-9_-] for the saved state; decode(q, text) → response|null
//   free                        true when encode() can be long (typed text): dropped first when state must shrink
//   track(q, response)          {scorm12, scorm2004, xapi}: the response in each standard's format
//   components(q)               xAPI definition component lists ({choices: […]}, {source, target}, …); the
//                               definition's extensions come from the data (q.extensions, render.py)
//   describe(q)                 optional: {scorm2004} the interaction's description, or null for none
//   reveal(q, el, sealed, response, text)   show the key and per-option feedback; reveal(q, el, null) hides them
//   problem(q, el, text)        a message when the input cannot be read (e.g. not a number), else ""
// }

var quizKinds = {};

// FNV-1a, 32 bits: the same as render.py's _fnv1a.
function quizHash(text) {
  var h = 2166136261;
  for (var i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

// mulberry32: the same seed gives the same draw and the same order on every device and browser.
function quizRandom(seed) {
  var a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) >>> 0;
    var t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quizShuffle(list, random) {
  var copy = list.slice();
  for (var i = copy.length - 1; i > 0; i--) {
    var j = Math.floor(random() * (i + 1));
    var kept = copy[i];
    copy[i] = copy[j];
    copy[j] = kept;
  }
  return copy;
}

// A new attempt's seed: 30 bits (five characters of the saved state), never 0 (0 = not started).
function quizNewSeed() {
  var value = 0;
  try {
    value = window.crypto.getRandomValues(new Uint32Array(1))[0] & 0x3FFFFFFF;
  } catch (error) {
    value = Math.floor(Math.random() * 0x3FFFFFFF);
  }
  return value || 1;
}

// The questions (indexes into data.questions) one attempt shows: `draw` of each pool at random,
// kept in source order within their pool.
function quizDraw(quiz, seed) {
  var random = quizRandom(seed);
  var drawn = [];
  quiz.pools.forEach(function (pool) {
    var picked = quizShuffle(pool.questions, random).slice(0, pool.draw);
    drawn = drawn.concat(picked.sort(function (a, b) { return a - b; }));
  });
  return drawn;
}

// The key, the correct-responses patterns and the feedback of a question: render.py _seal.
function quizUnseal(question) {
  if (!question.unsealed) {
    var binary = window.atob(question.sealed);
    var bytes = new Uint8Array(binary.length);
    var state = quizHash(question.id);
    for (var i = 0; i < binary.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      bytes[i] = binary.charCodeAt(i) ^ (state >>> 24);
    }
    question.unsealed = JSON.parse(new TextDecoder("utf-8").decode(bytes));
  }
  return question.unsealed;
}

// Move `nodes` into `parent` in the given order (after any other children they were among); nothing
// moves when they already are in that order (moving hundreds of questions costs a phone seconds).
function quizReorder(parent, nodes) {
  var current = Array.prototype.filter.call(parent.children, function (node) { return nodes.indexOf(node) >= 0; });
  if (current.length === nodes.length && current.every(function (node, i) { return node === nodes[i]; })) return;
  nodes.forEach(function (node) { parent.appendChild(node); });
}

// What the feedback policy shows now. verdicts: right/wrong per item; keys: the correct answer
// and the option and general feedback. `ended` means the attempt was submitted.
function quizDue(quiz, ended, final, passed) {
  var policy = quiz.feedback;
  var shown = ended && (policy === "after-pass" ? passed : policy === "final" ? final : policy !== "none");
  return { verdicts: shown, keys: policy === "after-attempt" ? ended && final : shown };
}

// The quizzes of one course. env: {data, text(key, values), announce(message), answered(answer),
// scored(quiz, score) (an assessment attempt ended with this score), outcome(score) (sentences
// about it: score, verdict, best), passed(), missingPages(), persist()}.
function quizEngine(env) {
  var data = env.data;
  var questions = data.questions;
  var forms = {};
  var ids = data.quizzes.map(function (quiz) { return quiz.id; });
  var states = ids.map(fresh);
  var started = false;
  var shownAt = Date.now();

  function fresh() {
    return { seed: 0, attempt: 0, submitted: false, drawn: [], responses: [], right: [], checked: [], arranged: 0 };
  }

  var fieldsets = {};  // question id → its fieldset (found once: a bank can hold hundreds)
  Array.prototype.forEach.call(document.querySelectorAll("form.quiz fieldset.question"), function (el) {
    fieldsets[el.getAttribute("data-question")] = el;
  });

  function kindOf(question) {
    return quizKinds[question.type];
  }


  function final(quiz, st) {
    return st.submitted && quiz.attempts !== null && st.attempt >= quiz.attempts;
  }

  function begin(quiz, st) {
    st.seed = quizNewSeed();
    st.attempt += 1;
    st.submitted = false;
    st.drawn = quizDraw(quiz, st.seed);
    st.responses = st.drawn.map(function () { return null; });
    st.right = st.drawn.map(function () { return false; });
    st.checked = st.drawn.map(function () { return false; });
    shownAt = Date.now();
  }

  // Every question of the attempt in its place, in its order, with its response, verdict and key.
  function render(index) {
    var quiz = data.quizzes[index];
    var st = states[index];
    var form = forms[quiz.id];
    if (!form) return;
    var gate = form.querySelector(".gate");
    var missing = quiz.requiresAllPages ? env.missingPages() : 0;
    var closed = !started || missing > 0 || !st.seed;
    gate.hidden = !closed;
    gate.textContent = !started ? env.text("loading") : missing > 0 ? env.text("gate", { n: missing }) : "";
    var info = form.querySelector(".attempt-info");
    info.hidden = closed || st.submitted || (quiz.attempts === null && st.attempt < 2);
    info.textContent = quiz.attempts === null ? env.text("attemptN", { n: st.attempt })
      : env.text("attemptOf", { n: st.attempt, max: quiz.attempts });
    var list = form.querySelector("fieldset") ? form.querySelector("fieldset").parentNode : form;
    Array.prototype.forEach.call(form.querySelectorAll("fieldset.question"), function (el) { el.hidden = true; });
    if (!closed) {
      var isFinal = final(quiz, st);
      var passed = quiz.scored && env.passed();
      var due = quizDue(quiz, st.submitted, isFinal, passed);
      if (st.arranged !== st.seed) {
        st.drawn.forEach(function (qi) {
          var question = questions[qi];
          kindOf(question).arrange(question, fieldsets[question.id], quizRandom(st.seed ^ quizHash(question.id)));
        });
        quizReorder(list, st.drawn.map(function (qi) { return fieldsets[questions[qi].id]; })
          .concat([form.querySelector(".summary"), form.querySelector(".actions")]));
        st.arranged = st.seed;
      }
      st.drawn.forEach(function (qi, n) {
        var question = questions[qi];
        var el = fieldsets[question.id];
        var kind = kindOf(question);
        var shown = st.checked[n] ? { verdicts: true, keys: true } : due;
        el.hidden = false;
        el.querySelector(".number").textContent = (n + 1) + ".";
        kind.write(question, el, st.responses[n]);
        kind.lock(question, el, st.submitted || st.checked[n]);
        var check = el.querySelector(".check");
        if (check) check.hidden = st.submitted || st.checked[n];
        var verdict = el.querySelector(".verdict");
        verdict.hidden = !shown.verdicts;
        verdict.textContent = !shown.verdicts ? "" : !question.scored ? env.text("notScored")
          : env.text(st.right[n] ? "correct" : "incorrect");
        verdict.className = "verdict " + (!question.scored ? "neutral" : st.right[n] ? "right" : "wrong");
        var general = el.querySelector(".feedback");
        var sealed = shown.keys ? quizUnseal(question) : null;
        general.innerHTML = sealed ? sealed.feedback : "";
        general.hidden = !general.innerHTML;
        kind.reveal(question, el, sealed, st.responses[n], env.text);
      });
    }
    var summary = form.querySelector(".summary");
    summary.hidden = closed || !st.submitted;
    summary.textContent = !closed && st.submitted ? summaryText(quiz, st) : "";
    var more = quiz.attempts === null || st.attempt < quiz.attempts;
    form.querySelector('button[type="submit"]').hidden = closed || st.submitted;
    form.querySelector(".retry").hidden = closed || !st.submitted || !more;
  }

  function score(st) {
    var total = st.drawn.filter(function (qi) { return questions[qi].scored; }).length;
    var right = st.drawn.filter(function (qi, n) { return questions[qi].scored && st.right[n]; }).length;
    return { right: right, total: total, score: total ? Math.round((100 * right) / total) : 0 };
  }

  function summaryText(quiz, st) {
    var result = score(st);
    var parts = [result.total ? env.text("quizResult", { n: result.right, total: result.total }) : env.text("answersSaved")];
    if (quiz.scored) parts = parts.concat(env.outcome(result.score));
    if (quiz.attempts !== null) {
      var left = quiz.attempts - st.attempt;
      parts.push(left > 1 ? env.text("attemptsLeft", { n: left }) : left === 1 ? env.text("attemptLeftOne")
        : env.text("noAttemptsLeft"));
    }
    return parts.join(" ");
  }

  // The response of each question of the attempt; missing: the first that cannot be read yet.
  function collect(form, st) {
    var missing = [];
    var responses = st.drawn.map(function (qi, n) {
      var question = questions[qi];
      var response = st.checked[n] ? st.responses[n] : kindOf(question).read(question, fieldsets[question.id]);
      if (response === null) missing.push(n);
      return response;
    });
    return missing.length ? { missing: missing[0], count: missing.length } : { responses: responses };
  }

  function judge(question, response) {
    if (!question.scored) return null;
    return kindOf(question).correct(question, quizUnseal(question).key, response);
  }

  function report(quiz, question, response, correct, when) {
    var kind = kindOf(question);
    var sealed = quizUnseal(question);
    env.answered({
      question: question,
      response: response,
      correct: correct,
      scored: quiz.scored,
      page: quiz.page || "",
      timestamp: when,
      latencyMs: when.getTime() - shownAt,
      interaction: {
        type: question.interaction,
        response: kind.track(question, response),
        patterns: sealed.patterns,
        components: question.extensions
          ? Object.assign({ extensions: question.extensions }, kind.components(question))
          : kind.components(question),
        description: kind.describe ? kind.describe(question) : null
      }
    });
  }

  // Tell what is missing (each field that cannot be read says why, beside it) and go there.
  function unanswered(form, st, n, count) {
    var problem = "";
    st.drawn.forEach(function (qi, i) {
      var said = kindOf(questions[qi]).problem(questions[qi], fieldsets[questions[qi].id], env.text);
      if (i === n) problem = said;
    });
    var summary = form.querySelector(".summary");
    summary.textContent = problem || env.text("answerAll", { n: count });
    summary.hidden = false;
    env.announce(summary.textContent);
    focusFirst(fieldsets[questions[st.drawn[n]].id]);
  }

  function focusFirst(el) {
    var control = el.querySelector("input:not([disabled]), select, textarea, button.up");
    if (control) control.focus();
  }

  function submit(index) {
    var quiz = data.quizzes[index];
    var st = states[index];
    var form = forms[quiz.id];
    if (!st.seed || st.submitted) return;
    var found = collect(form, st);
    if (found.responses === undefined) {
      unanswered(form, st, found.missing, found.count);
      return;
    }
    var when = new Date();
    st.responses = found.responses;
    st.drawn.forEach(function (qi, n) {
      var question = questions[qi];
      var correct = judge(question, st.responses[n]);
      st.right[n] = correct === true;
      report(quiz, question, st.responses[n], correct, when);
    });
    st.submitted = true;
    if (quiz.scored) env.scored(quiz, score(st).score);
    render(index);
    env.announce(form.querySelector(".summary").textContent);
    var next = form.querySelector(".retry");
    (next.hidden ? form.querySelector(".summary") : next).focus();
    env.persist();
  }

  // immediate: one question checked on its own; the attempt ends when every question is.
  function checkOne(index, el) {
    var quiz = data.quizzes[index];
    var st = states[index];
    var n = -1;
    st.drawn.forEach(function (qi, i) { if (questions[qi].id === el.getAttribute("data-question")) n = i; });
    if (n < 0 || st.submitted || st.checked[n]) return;
    var question = questions[st.drawn[n]];
    var response = kindOf(question).read(question, el);
    if (response === null) {
      unanswered(forms[quiz.id], st, n, 1);
      return;
    }
    st.responses[n] = response;
    st.right[n] = judge(question, response) === true;
    st.checked[n] = true;
    if (st.checked.every(Boolean)) {
      submit(index);
      return;
    }
    render(index);
    env.announce(el.querySelector(".verdict").textContent);
    el.querySelector(".verdict").setAttribute("tabindex", "-1");
    el.querySelector(".verdict").focus();
    env.persist();
  }

  // An answer given before the attempt is submitted is saved too: a resumed attempt shows it.
  function keep(index, target) {
    var st = states[index];
    var el = target.closest ? target.closest("fieldset.question") : null;
    if (!el || !st.seed || st.submitted) return;
    st.drawn.forEach(function (qi, n) {
      var question = questions[qi];
      if (question.id === el.getAttribute("data-question") && !st.checked[n]) {
        st.responses[n] = kindOf(question).read(question, el);
      }
    });
    env.persist();
  }

  function retry(index) {
    var quiz = data.quizzes[index];
    var st = states[index];
    if (!st.submitted || (quiz.attempts !== null && st.attempt >= quiz.attempts)) return;
    begin(quiz, st);
    render(index);
    focusFirst(fieldsets[questions[st.drawn[0]].id]);
    env.persist();
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.quiz"), function (form) {
    var index = ids.indexOf(form.getAttribute("data-quiz"));
    if (index < 0) return;
    forms[form.getAttribute("data-quiz")] = form;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit(index);
    });
    form.querySelector(".retry").addEventListener("click", function () { retry(index); });
    form.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button.check") : null;
      if (button) checkOne(index, button.closest("fieldset"));
    });
    form.addEventListener("change", function (event) { keep(index, event.target); });
    form.addEventListener("quizmove", function (event) {
      env.announce(env.text("moved", event.detail));
      keep(index, event.target);
    });
  });

  return {
    // The quiz page is shown: open it (a first attempt begins once the gate is open).
    open: function (quizId) {
      var index = ids.indexOf(quizId);
      if (index < 0) return;
      var quiz = data.quizzes[index];
      if (started && !states[index].seed && !(quiz.requiresAllPages && env.missingPages() > 0)) {
        begin(quiz, states[index]);
        env.persist();
      }
      shownAt = Date.now();
      render(index);
    },
    // What the adapter had stored (stateDecode's quizzes), then every form drawn again.
    restore: function (saved) {
      started = true;
      (saved || []).forEach(function (raw, index) {
        var quiz = data.quizzes[index];
        if (!quiz || !raw || !raw.seed) return;
        var st = fresh();
        st.seed = raw.seed;
        st.attempt = Math.max(1, raw.attempt);
        st.submitted = raw.submitted;
        st.drawn = quizDraw(quiz, st.seed);
        st.right = stateDecodeBits(raw.right, st.drawn.length);
        st.checked = stateDecodeBits(raw.checked, st.drawn.length);
        st.responses = st.drawn.map(function (qi, n) {
          var text = raw.responses[n] || "";
          return text ? kindOf(questions[qi]).decode(questions[qi], text) : null;
        });
        states[index] = st;
      });
      data.quizzes.forEach(function (quiz, index) { render(index); });
    },
    render: function () {
      data.quizzes.forEach(function (quiz, index) { render(index); });
    },
    // Whether the scored assessment's last attempt was submitted: its verdict is final.
    exhausted: function () {
      return data.quizzes.some(function (quiz, index) { return quiz.scored && final(quiz, states[index]); });
    },
    // For stateEncode: per quiz {seed, attempt, submitted, right, checked, responses, free}.
    snapshot: function () {
      return states.map(function (st) {
        return {
          seed: st.seed,
          attempt: st.attempt,
          submitted: st.submitted,
          right: st.right,
          checked: st.checked,
          responses: st.drawn.map(function (qi, n) {
            return st.responses[n] === null ? "" : kindOf(questions[qi]).encode(questions[qi], st.responses[n]);
          }),
          free: st.drawn.map(function (qi) { return !!kindOf(questions[qi]).free; })
        };
      });
    }
  };
}

// The parts of a question (options, steps…) in the order the page's source has them, whatever
// order an earlier attempt left them in.
function quizPristine(el, selector) {
  if (!el.quizPristine) el.quizPristine = {};
  if (!el.quizPristine[selector]) el.quizPristine[selector] = Array.prototype.slice.call(el.querySelectorAll(selector));
  return el.quizPristine[selector];
}

// The xAPI interaction components of a list of {id, text}.
function quizComponents(items, locale) {
  return items.map(function (item) {
    var description = {};
    description[locale] = item.text;
    return { id: item.id, description: description };
  });
}

function quizLocale() {
  return document.documentElement.lang || "und";
}
