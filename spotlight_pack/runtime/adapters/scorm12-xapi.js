// @requires lib/scorm.js
// @requires lib/xapi.js
// SCORM 1.2 + xAPI: the LMS gets what a SCORM 1.2 SCO writes; the LRS of data.settings.lrs_endpoint
// (else the launch URL's endpoint/auth) gets Tin Can's statements about the learner
// cmi.core.student_id, an account on settings.actor_homepage (default: the LMS's origin).

function createAdapter(ctx) {
  var data = ctx.data;
  var settings = data.settings || {};
  var lms = null;
  var writable = true;
  var status = "";
  var fields = [];
  var count = 0;
  var done = false;
  var startedAt = Date.now();
  var session = null;

  function pattern(question, ids) {
    return question.type === "truefalse" ? ids[0].charAt(0) : ids.join(",");
  }

  // The statements side; `lms` is initialized. SCORM 1.2 has no registration: without a launch
  // `registration`, one derived from the learner, course and LMS, the same on every launch.
  function track() {
    var params = xapiParams();
    var endpoint = settings.lrs_endpoint || params.endpoint;
    var student = lms.get("cmi.core.student_id");
    if (!endpoint || !student) {
      ctx.log("SCORM 1.2 + xAPI: no LRS endpoint or no cmi.core.student_id; no statements");
      return;
    }
    var origin = window.location.origin;
    var actor = { objectType: "Agent", account: { homePage: settings.actor_homepage || (origin !== "null" ? origin : data.iri), name: student } };
    var name = lms.get("cmi.core.student_name");
    if (name) actor.name = name;
    var seed = JSON.stringify(actor.account) + data.iri;
    var derived = [0, 1, 2, 3].map(function (i) { return xapiHash(seed, i); }).join("");
    var registration = params.registration || derived.replace(/^(.{8})(.{4}).(.{3}).(.{3})/, "$1-$2-8$3-a$4-");
    var client = xapiClient({
      endpoint: endpoint,
      auth: settings.lrs_auth || params.auth,
      key: JSON.stringify(actor) + registration + data.iri,
      log: ctx.log
    });
    session = xapiSession({
      client: client,
      statements: xapiStatements({ data: data, actor: actor, registration: registration, object: xapiCourse(data) }),
      normal: writable,
      masteryScore: null,
      sent: { completed: status === "completed" || status === "passed", passed: status === "passed" }
    });
    session.begin();
  }

  return {
    stateLimit: 4096,

    start: function () {
      var api = scormFindApi("API");
      lms = api && scormClient(api, {
        initialize: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
        terminate: "LMSFinish", lastError: "LMSGetLastError", errorString: "LMSGetErrorString"
      }, ctx.log, ["401", "402"]);
      if (!lms || !lms.initialize()) {
        lms = null;
        ctx.log("no SCORM 1.2 API found: progress will not be saved");
        return Promise.resolve({ bookmark: "", state: "", masteryScore: null });
      }
      var mode = lms.get("cmi.core.lesson_mode");
      writable = mode !== "browse" && mode !== "review";
      status = lms.get("cmi.core.lesson_status");
      fields = lms.get("cmi.interactions._children").split(",");
      count = parseInt(lms.get("cmi.interactions._count"), 10) || 0;
      var mastery = parseFloat(lms.get("cmi.student_data.mastery_score"));
      try {
        track();
      } catch (error) {
        ctx.log("SCORM 1.2 + xAPI: no statements", String(error));
      }
      if (writable && (status === "not attempted" || !status)) {
        lms.set("cmi.core.lesson_status", "incomplete");
        status = "incomplete";
      }
      return Promise.resolve({
        bookmark: lms.get("cmi.core.lesson_location"),
        state: lms.get("cmi.suspend_data"),
        masteryScore: isFinite(mastery) ? mastery : null
      });
    },

    pageViewed: function (page) {
      if (session) session.pageViewed(page);
    },

    answered: function (answer) {
      if (session) session.answered(answer);
      if (!lms || !writable || !answer.scored || fields.indexOf("id") < 0) return;
      var question = answer.question;
      var values = {
        id: question.id,
        type: question.type === "truefalse" ? "true-false" : "choice",
        student_response: pattern(question, answer.response),
        result: answer.correct ? "correct" : "wrong",
        correct_responses: pattern(question, question.correct),
        time: scormClock(answer.timestamp),
        latency: scormTimespan(answer.latencyMs)
      };
      Object.keys(values).forEach(function (name) {
        var element = "cmi.interactions." + count + "." + name + (name === "correct_responses" ? ".0.pattern" : "");
        if (fields.indexOf(name) >= 0) lms.set(element, values[name]);
      });
      count += 1;
    },

    setResult: function (result) {
      if (session) session.setResult(result);
      done = result.completed && result.passed !== false;
      if (!lms || !writable) return;
      if (result.scoreRaw !== null) {
        lms.set("cmi.core.score.min", "0");
        lms.set("cmi.core.score.max", "100");
        lms.set("cmi.core.score.raw", result.scoreRaw);
      }
      var next = result.passed === true ? "passed" : result.passed === false ? "failed"
        : result.completed ? "completed" : "incomplete";
      if (next !== status && status !== "passed" && !(status === "completed" && next === "incomplete")) {
        lms.set("cmi.core.lesson_status", next);
        status = next;
      }
    },

    save: function (snapshot) {
      if (session) session.flush(snapshot.progress);
      if (!lms) return;
      lms.set("cmi.core.lesson_location", snapshot.bookmark);
      if (writable) lms.set("cmi.suspend_data", snapshot.state);
      lms.commit();
    },

    finish: function (reason) {
      var ending = session ? session.end(reason) : Promise.resolve();
      session = null;
      if (lms) {
        if (writable) {
          lms.set("cmi.core.session_time", scormTimespan(Date.now() - startedAt));
          lms.set("cmi.core.exit", done ? "" : "suspend");
        }
        lms.commit();
        lms.terminate();
        lms = null;
      }
      return ending;
    }
  };
}
