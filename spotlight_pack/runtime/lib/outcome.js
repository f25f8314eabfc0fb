// The outcome policy: what to report about the learner's result (completed, passed, failed, score)
// and when, for every format (docs/runtime.md "The outcome policy"). The adapters turn its events
// into statements (xAPI) or data-model writes (SCORM); they never decide on their own.
//
// The rules:
// - the best attempt counts: a verdict carries the best score so far, and a failed verdict is never
//   reported once passed was;
// - only what the learner did in this session is reported (`result.session` from the player): a
//   resumed course reports nothing until she acts, so a restored score is never sent again;
// - with `holdFailed` (xAPI) a failed verdict waits until the session ends or no attempt is left, so
//   fail-then-pass in one session reports only passed (cmi5 §9.3: one verdict per session);
// - with `passOnce` (cmi5 §9.3: one passed per registration) a better score after passing is not
//   reported; otherwise it is reported as passed again, so the LMS or LRS holds the best score.
//
// outcomeTracker(opts), opts = {
//   reported: {completed, passed, failed, score}   what the LMS or LRS already holds for this
//                                                  registration (restored at start; anything else
//                                                  than booleans and a score 0-100 counts as nothing)
//   holdFailed, passOnce, oneVerdictPerSession     booleans, the format's rules (above)
//   passes: function (score) → boolean             the verdict for a score (cmi5: LaunchData's
//                                                  masteryScore); default: the player's `passed`
// }
// → {update(result) → events, end() → events, reported}
// events: [{verb: "completed"} | {verb: "passed" | "failed", score: 0-100}], in the order to report them.
// `reported` is what was reported so far (including the events returned): keep it with the state.

function outcomeTracker(opts) {
  var given = opts.reported || {};
  var reported = {
    completed: !!given.completed, passed: !!given.passed, failed: !!given.failed,
    score: typeof given.score === "number" && given.score >= 0 && given.score <= 100 ? given.score : null
  };
  // the verdict reported in this session
  var verdict = "";
  // the score of a failed verdict waiting for the end of the session
  var held = null;

  function best(score) {
    return reported.score === null ? score : Math.max(score, reported.score);
  }

  function add(events, verb, score) {
    events.push({ verb: verb, score: score });
    reported[verb] = true;
    reported.score = best(score);
    verdict = verb;
    held = null;
  }

  function release(events) {
    if (held === null) return events;
    if (!reported.passed && !(opts.oneVerdictPerSession && verdict)) add(events, "failed", held);
    held = null;
    return events;
  }

  return {
    reported: reported,

    // result: the player's setResult argument (docs/runtime.md).
    update: function (result) {
      var events = [];
      var session = result.session || {};
      if (result.completed && session.completed && !reported.completed) {
        events.push({ verb: "completed" });
        reported.completed = true;
      }
      if (typeof session.scoreRaw === "number" && typeof result.scoreRaw === "number") {
        var score = best(result.scoreRaw);
        var passed = opts.passes ? opts.passes(score) : result.passed === true;
        if (passed) {
          var news = !reported.passed || (!opts.passOnce && score > reported.score);
          if (news && !(opts.oneVerdictPerSession && verdict === "failed")) add(events, "passed", score);
        } else if (!reported.passed) {
          if (opts.holdFailed) held = score;
          else if (!reported.failed || score > reported.score) add(events, "failed", score);
        }
      }
      return result.attemptsExhausted ? release(events) : events;
    },

    // The session ends (Exit, page unload): a held failed verdict is reported now.
    end: function () {
      return release([]);
    }
  };
}
