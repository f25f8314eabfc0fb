// In-page knowledge checks: the quiz engine runs the form (runtime/quiz.js); this opens the check's
// quiz when its page is shown, as the player does for a quiz page.

blockKinds.check = {
  setup: function (el, api) {
    return { shown: function () { api.openQuiz(el.getAttribute("data-quiz")); } };
  }
};
