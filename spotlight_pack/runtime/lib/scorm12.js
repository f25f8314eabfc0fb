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

    // lesson_status is one value: "failed" hides whether the course was completed (a completion
    // reported later never replaces the verdict, see report).
    reported: function (client) {
      status = client.get("cmi.core.lesson_status");
      return {
        completed: status === "completed" || status === "passed",
        passed: status === "passed",
        failed: status === "failed",
        score: parseFloat(client.get("cmi.core.score.raw"))
      };
    },

    begin: function (client) {
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

    // completed never replaces a verdict; a verdict comes with the best score so far (the outcome
    // policy never reports failed after passed).
    report: function (client, event) {
      if (event.verb === "completed") {
        if (status !== "passed" && status !== "failed") {
          client.set("cmi.core.lesson_status", "completed");
          status = "completed";
        }
        return;
      }
      client.set("cmi.core.score.min", "0");
      client.set("cmi.core.score.max", "100");
      client.set("cmi.core.score.raw", String(event.score));
      if (status !== event.verb) {
        client.set("cmi.core.lesson_status", event.verb);
        status = event.verb;
      }
    },

    end: function (client, ending) {
      if (!ending.writable) return;
      client.set("cmi.core.session_time", scormTimespan(ending.ms));
      client.set("cmi.core.exit", ending.done ? "" : "suspend");
    }
  };
}
