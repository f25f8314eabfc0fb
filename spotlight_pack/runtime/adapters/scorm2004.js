// @requires lib/scorm.js
// SCORM 2004 4th edition: the LMS's `API_1484_11` object (Initialize … Terminate).

function createAdapter(ctx) {
  var client = null;
  var startedAt = Date.now();
  var completion = "";
  var success = "";
  var writable = true;
  var fields = [];
  var interactionCount = 0;
  var done = false;

  function response(question, ids) {
    return question.type === "truefalse" ? ids[0] : ids.join("[,]");
  }

  return {
    stateLimit: 64000,

    start: function () {
      var empty = { bookmark: "", state: "", masteryScore: null };
      var api = scormFindApi("API_1484_11");
      if (!api) {
        ctx.log("no SCORM 2004 API found: progress will not be saved");
        return Promise.resolve(empty);
      }
      // 403: "data model element value not initialized", the normal answer on a first launch.
      client = scormClient(api, {
        initialize: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit",
        terminate: "Terminate", lastError: "GetLastError", errorString: "GetErrorString"
      }, ctx.log, ["401", "403"]);
      if (!client.initialize()) {
        client = null;
        return Promise.resolve(empty);
      }
      var mode = client.get("cmi.mode");
      writable = mode !== "browse" && mode !== "review";
      completion = client.get("cmi.completion_status");
      success = client.get("cmi.success_status");
      if (writable && completion !== "completed" && completion !== "incomplete") {
        client.set("cmi.completion_status", "incomplete");
        completion = "incomplete";
      }
      var children = client.get("cmi.interactions._children");
      fields = children ? children.split(",") : [];
      interactionCount = parseInt(client.get("cmi.interactions._count"), 10) || 0;
      var passing = parseFloat(client.get("cmi.scaled_passing_score"));
      return Promise.resolve({
        bookmark: client.get("cmi.location"),
        state: client.get("cmi.suspend_data"),
        masteryScore: isFinite(passing) ? Math.round(passing * 100) : null
      });
    },

    pageViewed: function () {
      // SCORM 2004 has no page-level record: the bookmark is written by save().
    },

    answered: function (answer) {
      if (!client || !writable || !answer.scored || fields.indexOf("id") < 0) return;
      var question = answer.question;
      var prefix = "cmi.interactions." + interactionCount + ".";
      var values = [
        ["id", question.iri],
        ["type", question.type === "truefalse" ? "true-false" : "choice"],
        ["learner_response", response(question, answer.response)],
        ["result", answer.correct ? "correct" : "incorrect"],
        ["correct_responses", response(question, question.correct)],
        ["timestamp", scormTimestamp(answer.timestamp)],
        ["latency", scormDuration(answer.latencyMs)]
      ];
      values.forEach(function (pair) {
        if (fields.indexOf(pair[0]) < 0) return;
        client.set(prefix + pair[0] + (pair[0] === "correct_responses" ? ".0.pattern" : ""), pair[1]);
      });
      interactionCount += 1;
    },

    setResult: function (result) {
      done = result.completed && result.passed !== false;
      if (!client || !writable) return;
      // A progress of 1 would let an LMS with a completion threshold mark the course completed
      // before the completion rule is met.
      client.set("cmi.progress_measure", String(result.completed ? 1 : Math.min(result.progress, 0.99)));
      if (result.scoreRaw !== null) {
        client.set("cmi.score.min", "0");
        client.set("cmi.score.max", "100");
        client.set("cmi.score.raw", String(result.scoreRaw));
        client.set("cmi.score.scaled", String(result.scoreRaw / 100));
      }
      if (result.completed && completion !== "completed") {
        client.set("cmi.completion_status", "completed");
        completion = "completed";
      }
      var next = result.passed === true ? "passed" : result.passed === false ? "failed" : "";
      if (next && next !== success && success !== "passed") {
        client.set("cmi.success_status", next);
        success = next;
      }
    },

    save: function (snapshot) {
      if (!client) return;
      client.set("cmi.location", snapshot.bookmark);
      if (writable) client.set("cmi.suspend_data", snapshot.state);
      client.commit();
    },

    finish: function (reason) {
      if (!client) return Promise.resolve();
      if (writable) {
        client.set("cmi.session_time", scormDuration(Date.now() - startedAt));
        client.set("cmi.exit", done ? "normal" : "suspend");
      }
      if (reason === "exit") client.set("adl.nav.request", done ? "exitAll" : "suspendAll");
      client.commit();
      client.terminate();
      client = null;
      return Promise.resolve();
    }
  };
}
