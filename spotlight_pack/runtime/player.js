// The player: navigation, progress, quizzes, bookmark and resume. It knows no tracking standard:
// everything it reports goes through the adapter created by createAdapter (docs/runtime.md).

var data = JSON.parse(document.getElementById("spotlight-data").textContent);
var strings = data.strings;
var pages = data.pages;
var questions = data.questions;

function text(key, values) {
  return strings[key].replace(/\{(\w+)\}/g, function (match, name) {
    return values && name in values ? String(values[name]) : match;
  });
}

function log(message, detail) {
  if (window.console) window.console.warn("[spotlight] " + message, detail === undefined ? "" : detail);
}

var adapter = createAdapter({ data: data, log: log });

var menu = document.getElementById("menu");
var menuToggle = document.getElementById("menu-toggle");
var prevButton = document.getElementById("prev");
var nextButton = document.getElementById("next");
var exitButton = document.getElementById("exit");
var position = document.getElementById("position");
var live = document.getElementById("live");
var note = document.getElementById("note");
var sections = pages.map(function (page) {
  return document.querySelector('section[data-page="' + page.id + '"]');
});
var menuLinks = pages.map(function (page) {
  return menu.querySelector('a[data-page="' + page.id + '"]');
});
var forms = Array.prototype.slice.call(document.querySelectorAll("form.quiz"));
// Page blocks (runtime/blocks/engine.js, bundled only when the course has any).
var blocks = typeof blocksEngine === "function" ? blocksEngine({
  data: data,
  announce: function (message) { announce(message); },
  persist: function () { persist(); },
  track: function (record) { if (started && adapter.track) adapter.track(record); },
  done: function (pageId) {
    var index = indexOfPage(pageId);
    if (index < 0 || visited[index]) return;
    visited[index] = true;
    updateMenu();
    persist();
  }
}) : null;

var current = -1;
// Until adapter.start() resolves (network round trips for xAPI formats) the learner may already
// move; nothing is reported before then, and the learner is not sent back when it resolves.
var started = false;
var visited = pages.map(function () { return false; });
var answers = questions.map(function () { return { mask: 0, submitted: false }; });
var best = null;
// What the learner did in this session, for the outcome policy (lib/outcome.js): the best score she
// submitted, and whether the saved state she resumed was already complete.
var sessionBest = null;
var restoredCompleted = false;
var masteryScore = data.masteryScore;
var shownAt = Date.now();
var reported = "";
var finished = false;

function indexOfPage(id) {
  for (var i = 0; i < pages.length; i++) {
    if (pages[i].id === id) return i;
  }
  return -1;
}

function questionIndexes(quizId) {
  var found = [];
  questions.forEach(function (question, index) {
    if (question.quiz === quizId) found.push(index);
  });
  return found;
}

function announce(message) {
  live.textContent = "";
  window.setTimeout(function () { live.textContent = message; }, 100);
}

function progress() {
  var seen = visited.filter(Boolean).length;
  return pages.length ? seen / pages.length : 1;
}

function isCompleted(seen, submitted) {
  var allSeen = seen.every(Boolean);
  return data.completion === "pages" ? allSeen : data.completion === "assessment" ? submitted : allSeen && submitted;
}

// The adapter's setResult argument (docs/runtime.md). `attemptsExhausted`: no attempt limit yet.
function result() {
  var submitted = best !== null;
  var completed = isCompleted(visited, submitted);
  return {
    completed: completed,
    passed: submitted ? best >= masteryScore : null,
    scoreRaw: best,
    progress: progress(),
    session: { completed: completed && !restoredCompleted, scoreRaw: sessionBest },
    attemptsExhausted: false
  };
}

// Tell the adapter what changed, then let it commit: save() is the one commit point.
function persist() {
  if (finished || !started) return;
  var now = result();
  var key = JSON.stringify(now);
  if (key !== reported) {
    reported = key;
    adapter.setResult(now);
  }
  var full = blocks ? blocks.snapshot(true) : "";
  var state = stateEncode({ visited: visited, best: best, answers: answers,
    blocks: { full: full, lean: blocks ? blocks.snapshot(false) : "" } }, data.layout, adapter.stateLimit);
  if (blocks) blocks.saved((state.split(".")[5] || "") === full);
  adapter.save({ bookmark: current >= 0 ? pages[current].id : "", state: state, progress: now.progress });
}

function updateMenu() {
  menuLinks.forEach(function (link, index) {
    link.classList.toggle("visited", visited[index]);
    if (index === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  });
  var percent = Math.round(progress() * 100);
  document.getElementById("progress-text").textContent = text("progress", { n: percent });
  document.getElementById("progress-bar").style.width = percent + "%";
}

function setMenuOpen(open) {
  menu.classList.toggle("open", open);
  menuToggle.setAttribute("aria-expanded", open ? "true" : "false");
}

function show(index, moveFocus) {
  if (note) note.hidden = true;
  sections.forEach(function (section, i) { section.hidden = i !== index; });
  if (blocks && current >= 0 && current !== index) blocks.hidden(pages[current].id);
  current = index;
  visited[index] = visited[index] || !blocks || !blocks.pending(pages[index].id);
  if (blocks) blocks.shown(pages[index].id);
  prevButton.disabled = index === 0 && !note;
  nextButton.disabled = index === pages.length - 1;
  position.textContent = text("position", { n: index + 1, total: pages.length });
  document.title = pages[index].title + " – " + data.title;
  updateMenu();
  setMenuOpen(false);
  shownAt = Date.now();
  if (moveFocus) {
    window.scrollTo(0, 0);
    sections[index].querySelector("h1").focus();
  }
  if (started) adapter.pageViewed(pages[index]);
  persist();
}

function showNote() {
  sections.forEach(function (section) { section.hidden = true; });
  note.hidden = false;
  prevButton.disabled = true;
  nextButton.disabled = false;
  position.textContent = "";
  updateMenu();
}

// ---- quizzes

function selectedIds(form, question) {
  return question.options.filter(function (option) {
    return form.querySelector("#q-" + question.id + "-" + option.id).checked;
  }).map(function (option) { return option.id; });
}

function maskOf(question, ids) {
  return question.options.reduce(function (mask, option, i) {
    return ids.indexOf(option.id) >= 0 ? mask | (1 << i) : mask;
  }, 0);
}

function idsOf(question, mask) {
  return question.options.filter(function (option, i) { return (mask & (1 << i)) !== 0; })
    .map(function (option) { return option.id; });
}

function sameSet(a, b) {
  return a.length === b.length && a.every(function (id) { return b.indexOf(id) >= 0; });
}

// Share of the quiz's questions answered correctly, 0–100, from the submitted answers.
function quizScore(indexes) {
  var right = indexes.filter(function (qi) {
    return sameSet(idsOf(questions[qi], answers[qi].mask), questions[qi].correct);
  }).length;
  return { right: right, score: Math.round((100 * right) / indexes.length) };
}

function summaryText(form, indexes) {
  var score = quizScore(indexes);
  var parts = [text("quizResult", { n: score.right, total: indexes.length })];
  if (form.hasAttribute("data-scored")) {
    parts.push(text("scoreResult", { n: score.score, mastery: masteryScore }));
    parts.push(text(best !== null && best >= masteryScore ? "passed" : "failed"));
    if (best !== null && best !== score.score) parts.push(text("best", { n: best }));
  }
  return parts.join(" ");
}

// Draw a quiz from `answers`: the choices, and once submitted the feedback and the summary.
function renderQuiz(form) {
  var indexes = questionIndexes(form.getAttribute("data-quiz"));
  var submitted = indexes.length > 0 && indexes.every(function (qi) { return answers[qi].submitted; });
  indexes.forEach(function (qi) {
    var question = questions[qi];
    var chosen = idsOf(question, answers[qi].mask);
    var fieldset = form.querySelector('fieldset[data-question="' + question.id + '"]');
    question.options.forEach(function (option) {
      var input = form.querySelector("#q-" + question.id + "-" + option.id);
      input.checked = chosen.indexOf(option.id) >= 0;
      input.disabled = submitted;
      input.parentNode.querySelector(".feedback").hidden = !(submitted && input.checked);
    });
    var verdict = fieldset.querySelector(".verdict");
    var right = sameSet(chosen, question.correct);
    verdict.hidden = !submitted;
    verdict.textContent = submitted ? text(right ? "correct" : "incorrect") : "";
    verdict.className = "verdict " + (right ? "right" : "wrong");
  });
  var summary = form.querySelector(".summary");
  summary.hidden = !submitted;
  summary.textContent = submitted ? summaryText(form, indexes) : "";
  form.querySelector('button[type="submit"]').hidden = submitted;
  form.querySelector(".retry").hidden = !submitted;
}

function submitQuiz(form) {
  var indexes = questionIndexes(form.getAttribute("data-quiz"));
  var missing = indexes.filter(function (qi) { return selectedIds(form, questions[qi]).length === 0; });
  if (missing.length) {
    var summary = form.querySelector(".summary");
    summary.textContent = text("answerAll", { n: missing.length });
    summary.hidden = false;
    announce(summary.textContent);
    form.querySelector("#q-" + questions[missing[0]].id + "-" + questions[missing[0]].options[0].id).focus();
    return;
  }
  var scored = form.hasAttribute("data-scored");
  var timestamp = new Date();
  indexes.forEach(function (qi) {
    var question = questions[qi];
    var response = selectedIds(form, question);
    answers[qi] = { mask: maskOf(question, response), submitted: true };
    if (started) adapter.answered({
      question: question,
      response: response,
      correct: sameSet(response, question.correct),
      scored: scored,
      timestamp: timestamp,
      latencyMs: timestamp.getTime() - shownAt
    });
  });
  if (scored) {
    var score = quizScore(indexes).score;
    best = best === null ? score : Math.max(best, score);
    sessionBest = sessionBest === null ? score : Math.max(sessionBest, score);
  }
  renderQuiz(form);
  announce(form.querySelector(".summary").textContent);
  form.querySelector(".retry").focus();
  persist();
}

function retryQuiz(form) {
  questionIndexes(form.getAttribute("data-quiz")).forEach(function (qi) {
    answers[qi] = { mask: 0, submitted: false };
  });
  renderQuiz(form);
  shownAt = Date.now();
  form.querySelector("input").focus();
  persist();
}

// ---- ending the session

function finish(reason) {
  if (finished) return Promise.resolve();
  if (blocks && started) blocks.unload();
  persist();
  finished = true;
  return adapter.finish(reason);
}

function exit() {
  finish("exit").then(function () {
    sections.forEach(function (section) { section.hidden = true; });
    if (note) note.hidden = true;
    document.querySelector(".pager").hidden = true;
    exitButton.disabled = true;
    var closed = document.getElementById("closed");
    closed.hidden = false;
    closed.focus();
  });
}

// ---- wiring

sections.forEach(function (section) { section.hidden = true; });
forms.forEach(function (form) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitQuiz(form);
  });
  form.querySelector(".retry").addEventListener("click", function () { retryQuiz(form); });
});
Array.prototype.forEach.call(document.querySelectorAll("a.external"), function (link) {
  var hint = document.createElement("span");
  hint.className = "sr-only";
  hint.textContent = " " + text("newTab");
  link.appendChild(hint);
});

document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest('a[href^="#page-"], a[href^="#quiz-"]') : null;
  if (!link || finished) return;
  var section = document.getElementById(link.getAttribute("href").slice(1));
  var index = section ? sections.indexOf(section) : -1;
  if (index < 0) return;
  event.preventDefault();
  show(index, true);
});
prevButton.addEventListener("click", function () {
  if (current > 0) show(current - 1, true);
  else if (note) {
    showNote();
    note.querySelector("h1").focus();
  }
});
nextButton.addEventListener("click", function () {
  if (current < pages.length - 1) show(current + 1, true);
});
if (note) document.getElementById("note-start").addEventListener("click", function () { show(0, true); });
menuToggle.addEventListener("click", function () {
  setMenuOpen(menuToggle.getAttribute("aria-expanded") !== "true");
});
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape" && menu.classList.contains("open")) {
    setMenuOpen(false);
    menuToggle.focus();
  }
});
exitButton.addEventListener("click", exit);
window.addEventListener("pagehide", function () { finish("unload"); });
window.addEventListener("beforeunload", function () { finish("unload"); });

adapter.start().then(function (stored) {
  started = true;
  if (typeof stored.masteryScore === "number") masteryScore = stored.masteryScore;
  var saved = stateDecode(stored.state, data.layout, pages.length, questions.length);
  var movedEarly = current >= 0;
  if (saved) {
    restoredCompleted = isCompleted(saved.visited, saved.best !== null);
    visited = saved.visited.map(function (seen, i) { return seen || visited[i]; });
    if (saved.best !== null) best = best === null ? saved.best : Math.max(best, saved.best);
    if (!movedEarly) answers = saved.answers;
  }
  if (blocks) blocks.restore(saved ? saved.blocks : "");
  if (!movedEarly) forms.forEach(renderQuiz);
  if (movedEarly) {
    adapter.pageViewed(pages[current]);
    persist();
    return;
  }
  var index = indexOfPage(stored.bookmark);
  if (index >= 0) show(index, false);
  else if (note) showNote();
  else show(0, false);
});
