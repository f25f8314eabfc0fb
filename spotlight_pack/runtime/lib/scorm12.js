// The SCORM 1.2 dialect of scormAdapter (lib/scorm.js): the `API` object and the cmi.core model.
// A library rather than part of adapters/scorm12.js so that adapters which also report to SCORM 1.2
// (scorm12-xapi) use the very same code.

function scorm12Dialect() {
  var status = "";

  return {
    api: "API",
    calls: {
      initialize: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
      terminate: "LMSFinish", lastError: "LMSGetLastError", errorString: "LMSGetErrorString"
    },
    // 401 not implemented, 402 invalid argument: the answers of an LMS without some element.
    quietCodes: ["401", "402"],
    stateLimit: 4096,
    location: "cmi.core.lesson_location",
    mode: "cmi.core.lesson_mode",

    begin: function (client) {
      status = client.get("cmi.core.lesson_status");
      if (status === "not attempted" || status === "") {
        client.set("cmi.core.lesson_status", "incomplete");
        status = "incomplete";
      }
    },

    masteryScore: function (client) {
      var mastery = parseFloat(client.get("cmi.student_data.mastery_score"));
      return isFinite(mastery) ? mastery : null;
    },

    // The question type gives the interaction type, the response and the patterns in 1.2's own
    // formats (runtime/questions/*.js, spotlight_pack/questions/*.py); none for a survey item.
    interaction: function (answer) {
      var interaction = answer.interaction;
      var result = answer.correct === null ? "neutral" : answer.correct ? "correct" : "wrong";
      return [
        ["id", answer.question.id],
        ["type", interaction.type.scorm12],
        ["student_response", interaction.response.scorm12]
      ].concat(scormPatterns(interaction.patterns.scorm12), [
        ["result", result],
        ["time", scormClock(answer.timestamp)],
        ["latency", scormTimespan(answer.latencyMs)]
      ]);
    },

    // One status for everything: passed/failed once the assessment was submitted, else
    // completed/incomplete; passed is never taken back, completed never becomes incomplete.
    result: function (client, result) {
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

    end: function (client, ending) {
      if (!ending.writable) return;
      client.set("cmi.core.session_time", scormTimespan(ending.ms));
      client.set("cmi.core.exit", ending.done ? "" : "suspend");
    }
  };
}
