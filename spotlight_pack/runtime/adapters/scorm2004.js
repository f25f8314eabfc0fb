// @requires lib/outcome.js
// @requires lib/scorm.js
// SCORM 2004 4th edition: the LMS's `API_1484_11` object (Initialize … Terminate), as a dialect of
// scormAdapter (lib/scorm.js).

function createAdapter(ctx) {
  var completion = "";
  var success = "";
  var progress = 0;

  return scormAdapter(ctx, {
    api: "API_1484_11",
    calls: {
      initialize: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit",
      terminate: "Terminate", lastError: "GetLastError", errorString: "GetErrorString"
    },
    // 401 not implemented, 403 not initialized: the normal answer for an element never written.
    quietCodes: ["401", "403"],
    stateLimit: 64000,
    location: "cmi.location",
    mode: "cmi.mode",

    reported: function (client) {
      completion = client.get("cmi.completion_status");
      success = client.get("cmi.success_status");
      progress = parseFloat(client.get("cmi.progress_measure")) || 0;
      return {
        completed: completion === "completed",
        passed: success === "passed",
        failed: success === "failed",
        score: parseFloat(client.get("cmi.score.raw"))
      };
    },

    begin: function (client) {
      if (completion !== "completed" && completion !== "incomplete") {
        client.set("cmi.completion_status", "incomplete");
        completion = "incomplete";
      }
    },

    masteryScore: function (client) {
      var passing = parseFloat(client.get("cmi.scaled_passing_score"));
      return isFinite(passing) ? Math.round(passing * 100) : null;
    },

    interaction: function (answer) {
      var interaction = answer.interaction;
      var result = answer.correct === null ? "neutral" : answer.correct ? "correct" : "incorrect";
      return [
        ["id", answer.question.iri],
        ["type", interaction.type.scorm2004]
      ].concat(interaction.description ? [["description", interaction.description.scorm2004]] : [], [
        ["learner_response", interaction.response.scorm2004]
      ], scormPatterns(interaction.patterns.scorm2004), [
        ["result", result],
        ["timestamp", scormTimestamp(answer.timestamp)],
        ["latency", scormDuration(answer.latencyMs)]
      ]);
    },

    // Only more progress is written, so a resumed course does not rewrite it. A progress of 1 would
    // let an LMS with a completion threshold mark the course completed before the completion rule
    // is met.
    progress: function (client, result) {
      var measure = result.completed ? 1 : Math.min(result.progress, 0.99);
      if (measure > progress) {
        client.set("cmi.progress_measure", String(measure));
        progress = measure;
      }
    },

    // Completion and success separately; a verdict comes with the best score so far.
    report: function (client, event) {
      if (event.verb === "completed") {
        client.set("cmi.completion_status", "completed");
        completion = "completed";
        return;
      }
      client.set("cmi.score.min", "0");
      client.set("cmi.score.max", "100");
      client.set("cmi.score.raw", String(event.score));
      client.set("cmi.score.scaled", String(event.score / 100));
      if (success !== event.verb) {
        client.set("cmi.success_status", event.verb);
        success = event.verb;
      }
    },

    // Exit: the LMS may close the course (exitAll when finished, suspendAll to come back later).
    end: function (client, ending) {
      if (ending.writable) {
        client.set("cmi.session_time", scormDuration(ending.ms));
        client.set("cmi.exit", ending.done ? "normal" : "suspend");
      }
      if (ending.reason === "exit") client.set("adl.nav.request", ending.done ? "exitAll" : "suspendAll");
    }
  });
}
