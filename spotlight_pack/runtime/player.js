// The player: navigation, progress, quizzes, bookmark and resume. It knows no tracking standard:
// everything it reports goes through the adapter created by createAdapter (docs/runtime.md).

var data = JSON.parse(document.getElementById("spotlight-data").textContent);
var strings = data.strings;
var pages = data.pages;

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
var best = null;
// What the learner did in this session, for the outcome policy (lib/outcome.js): the best score she
// submitted, and whether the saved state she resumed was already complete.
var sessionBest = null;
var restoredCompleted = false;
var masteryScore = data.masteryScore;
var reported = "";
var finished = false;

function indexOfPage(id) {
  for (var i = 0; i < pages.length; i++) {
    if (pages[i].id === id) return i;
  }
  return -1;
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

// The adapter's setResult argument (docs/runtime.md).
function result() {
  var submitted = best !== null;
  var completed = isCompleted(visited, submitted);
  return {
    completed: completed,
    passed: submitted ? best >= masteryScore : null,
    scoreRaw: best,
    progress: progress(),
    session: { completed: completed && !restoredCompleted, scoreRaw: sessionBest },
    // no attempt at the assessment is left: the verdict is final (a held failure is reported now)
    attemptsExhausted: quizzes.exhausted()
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
  var state = stateEncode({ visited: visited, best: best, quizzes: quizzes.snapshot(),
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
  openQuizzes(index);
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

// ---- quizzes: the engine (runtime/quiz.js with the question types, spotlight/quiz.js in the
// package) is not part of the first page's script: it is fetched once the course has started (so it
// is there before a quiz, even if the network goes away later) or when a quiz page is shown first.
// Until it is there the quizzes' saved states pass through as they were. The player keeps the best
// score.

function outcome(score) {
  var parts = [text("scoreResult", { n: score, mastery: masteryScore })];
  parts.push(text(best !== null && best >= masteryScore ? "passed" : "failed"));
  if (best !== null && best !== score) parts.push(text("best", { n: best }));
  return parts;
}

var quizEnv = {
  data: data,
  text: text,
  announce: announce,
  answered: function (answer) {
    if (started) adapter.answered(answer);
  },
  scored: function (quiz, score) {
    best = best === null ? score : Math.max(best, score);
    sessionBest = sessionBest === null ? score : Math.max(sessionBest, score);
  },
  outcome: outcome,
  passed: function () {
    return best !== null && best >= masteryScore;
  },
  // pages still to see before the assessment opens (everything but the assessment itself)
  missingPages: function () {
    return pages.filter(function (page, i) { return page.kind !== "assessment" && !visited[i]; }).length;
  },
  persist: persist
};
var quizEngineInstance = null;
var quizEngineLoading = null;
var savedQuizzes = null;  // stateDecode's quizzes, once adapter.start() gave them

function loadQuizEngine() {
  if (!quizEngineLoading) {
    quizEngineLoading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = data.quizScript;
      script.onload = function () { resolve(window.spotlightQuizEngine); };
      script.onerror = reject;
      document.head.appendChild(script);
    }).then(function (factory) {
      quizEngineInstance = factory(quizEnv);
      if (savedQuizzes) quizEngineInstance.restore(savedQuizzes);
      return quizEngineInstance;
    }, function () {
      log("cannot load " + data.quizScript + " (offline?); trying again when back online");
      quizEngineLoading = null;
    });
  }
  return quizEngineLoading;
}

// The quizzes page `index` shows: a quiz page's own, or the in-page checks of a content page
// (blocks/check.py; data.quizzes[].page names their page).
function openQuizzes(index) {
  var page = pages[index];
  data.quizzes.forEach(function (quiz) {
    if (page.kind === "page" ? quiz.page === page.id : quiz.id === page.id) quizzes.open(quiz.id);
  });
}

// Back online with a quiz or a check showing and no engine yet: load it now.
window.addEventListener("online", function () {
  if (!quizEngineInstance && current >= 0) openQuizzes(current);
});

var quizzes = {
  open: function (quizId) {
    var here = current;
    if (quizEngineInstance) quizEngineInstance.open(quizId);
    else loadQuizEngine().then(function (engine) { if (engine && current === here) engine.open(quizId); });
  },
  restore: function (saved) {
    savedQuizzes = saved;
    if (quizEngineInstance) quizEngineInstance.restore(saved);
  },
  snapshot: function () {
    if (quizEngineInstance) return quizEngineInstance.snapshot();
    return data.quizzes.map(function (quiz, i) { return (savedQuizzes && savedQuizzes[i]) || { seed: 0 }; });
  },
  // the scored assessment's last attempt was submitted: its verdict is final
  exhausted: function () {
    if (quizEngineInstance) return quizEngineInstance.exhausted();
    return data.quizzes.some(function (quiz, i) {
      var saved = savedQuizzes && savedQuizzes[i];
      return quiz.scored && quiz.attempts !== null && !!saved && saved.submitted && saved.attempt >= quiz.attempts;
    });
  }
};
// Before the engine is there, a quiz form must not submit itself (it would reload the page).
document.addEventListener("submit", function (event) { event.preventDefault(); });

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
  var saved = stateDecode(stored.state, data.layout, pages.length);
  var movedEarly = current >= 0;
  if (saved) {
    restoredCompleted = isCompleted(saved.visited, saved.best !== null);
    visited = saved.visited.map(function (seen, i) { return seen || visited[i]; });
    if (saved.best !== null) best = best === null ? saved.best : Math.max(best, saved.best);
  }
  if (blocks) blocks.restore(saved ? saved.blocks : "");
  // Quizzes wait for the stored state (an attempt's seed and the attempts used are in it).
  quizzes.restore(saved ? saved.quizzes : []);
  if (data.quizScript) window.setTimeout(loadQuizEngine, 0);
  if (movedEarly) {
    openQuizzes(current);
    adapter.pageViewed(pages[current]);
    persist();
    return;
  }
  var index = indexOfPage(stored.bookmark);
  if (index >= 0) show(index, false);
  else if (note) showNote();
  else show(0, false);
});
