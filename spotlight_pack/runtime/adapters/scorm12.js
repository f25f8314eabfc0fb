// @requires lib/scorm.js
// SCORM 1.2: the LMS's `API` object (LMSInitialize … LMSFinish).

function createAdapter(ctx) {
  var client = null;
  var startedAt = Date.now();
  var status = "";
  var writable = true;
  var fields = [];
  var interactionCount = 0;
  var done = false;

  function response(question, ids) {
    if (question.type === "truefalse") return ids[0] === "true" ? "t" : "f";
    return ids.join(",");
  }

  return {
    stateLimit: 4096,

    start: function () {
      var empty = { bookmark: "", state: "", masteryScore: null };
      var api = scormFindApi("API");
      if (!api) {
        ctx.log("no SCORM 1.2 API found: progress will not be saved");
        return Promise.resolve(empty);
      }
      client = scormClient(api, {
        initialize: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
        terminate: "LMSFinish", lastError: "LMSGetLastError", errorString: "LMSGetErrorString"
      }, ctx.log, ["401", "402"]);
      if (!client.initialize()) {
        client = null;
        return Promise.resolve(empty);
      }
      var mode = client.get("cmi.core.lesson_mode");
      writable = mode !== "browse" && mode !== "review";
      status = client.get("cmi.core.lesson_status");
      if (writable && (status === "not attempted" || status === "")) {
        client.set("cmi.core.lesson_status", "incomplete");
        status = "incomplete";
      }
      var children = client.get("cmi.interactions._children");
      fields = children ? children.split(",") : [];
      interactionCount = parseInt(client.get("cmi.interactions._count"), 10) || 0;
      var mastery = parseFloat(client.get("cmi.student_data.mastery_score"));
      return Promise.resolve({
        bookmark: client.get("cmi.core.lesson_location"),
        state: client.get("cmi.suspend_data"),
        masteryScore: isFinite(mastery) ? mastery : null
      });
    },

    pageViewed: function () {
      // SCORM 1.2 has no page-level record: the bookmark is written by save().
    },

    answered: function (answer) {
      if (!client || !writable || !answer.scored || fields.indexOf("id") < 0) return;
      var question = answer.question;
      var prefix = "cmi.interactions." + interactionCount + ".";
      var values = [
        ["id", question.id],
        ["type", question.type === "truefalse" ? "true-false" : "choice"],
        ["student_response", response(question, answer.response)],
        ["result", answer.correct ? "correct" : "wrong"],
        ["correct_responses", response(question, question.correct)],
        ["time", scormClock(answer.timestamp)],
        ["latency", scormTimespan(answer.latencyMs)]
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
      if (result.scoreRaw !== null) {
        client.set("cmi.core.score.min", "0");
        client.set("cmi.core.score.max", "100");
        client.set("cmi.core.score.raw", String(result.scoreRaw));
      }
      var next = result.passed === true ? "passed" : result.passed === false ? "failed"
        : result.completed ? "completed" : "incomplete";
      var downgrade = status === "passed" || (status === "completed" && next === "incomplete");
      if (next !== status && !downgrade) {
        client.set("cmi.core.lesson_status", next);
        status = next;
      }
    },

    save: function (snapshot) {
      if (!client) return;
      client.set("cmi.core.lesson_location", snapshot.bookmark);
      if (writable) client.set("cmi.suspend_data", snapshot.state);
      client.commit();
    },

    finish: function () {
      if (!client) return Promise.resolve();
      if (writable) {
        client.set("cmi.core.session_time", scormTimespan(Date.now() - startedAt));
        client.set("cmi.core.exit", done ? "" : "suspend");
      }
      client.commit();
      client.terminate();
      client = null;
      return Promise.resolve();
    }
  };
}
