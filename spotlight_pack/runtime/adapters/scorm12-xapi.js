// @requires lib/scorm.js
// @requires lib/xapi.js
// SCORM 1.2 + xAPI: the LMS gets what a SCORM 1.2 SCO writes (through lib/scorm.js) and the LRS set
// at build time (data.settings.lrs_endpoint / lrs_auth; else `endpoint` / `auth` from the launch
// URL) gets the same statements as Tin Can content, about the learner cmi.core.student_id as an
// account on settings.actor_homepage (default: the LMS's origin).

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
    return question.type === "truefalse" ? (ids[0] === "true" ? "t" : "f") : ids.join(",");
  }

  // The SCORM 1.2 side. Returns what the LMS stored, or null without an LMS.
  function connect() {
    var api = scormFindApi("API");
    if (!api) return null;
    var client = scormClient(api, {
      initialize: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
      terminate: "LMSFinish", lastError: "LMSGetLastError", errorString: "LMSGetErrorString"
    }, ctx.log, ["401", "402"]);
    if (!client.initialize()) return null;
    lms = client;
    var mode = lms.get("cmi.core.lesson_mode");
    writable = mode !== "browse" && mode !== "review";
    status = lms.get("cmi.core.lesson_status");
    var children = lms.get("cmi.interactions._children");
    fields = children ? children.split(",") : [];
    count = parseInt(lms.get("cmi.interactions._count"), 10) || 0;
    var stored = {
      status: status,
      studentId: lms.get("cmi.core.student_id"),
      studentName: lms.get("cmi.core.student_name"),
      bookmark: lms.get("cmi.core.lesson_location"),
      state: lms.get("cmi.suspend_data"),
      mastery: parseFloat(lms.get("cmi.student_data.mastery_score"))
    };
    if (writable && (status === "not attempted" || status === "")) {
      lms.set("cmi.core.lesson_status", "incomplete");
      status = "incomplete";
    }
    return stored;
  }

  // SCORM 1.2 has no registration: without a launch `registration`, one UUID per learner, course
  // and LMS, derived from them so every launch and every device agrees.
  function registrationFor(seed) {
    var hex = "";
    for (var i = 0; hex.length < 32; i++) hex += ("0000000000000" + xapiHash(seed, i).toString(16)).slice(-12);
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-8" + hex.slice(13, 16) + "-a" + hex.slice(17, 20) + "-" +
      hex.slice(20, 32);
  }

  function track(stored) {
    var params = xapiParams();
    var endpoint = settings.lrs_endpoint || params.endpoint;
    if (!endpoint || !stored.studentId) {
      ctx.log("SCORM 1.2 + xAPI: no LRS endpoint or no cmi.core.student_id; sending no statements");
      return;
    }
    var origin = window.location.origin && window.location.origin !== "null" ? window.location.origin : data.iri;
    var homePage = settings.actor_homepage || origin;
    var actor = { objectType: "Agent", account: { homePage: homePage, name: stored.studentId } };
    if (stored.studentName) actor.name = stored.studentName;
    var registration = params.registration || registrationFor(homePage + "|" + stored.studentId + "|" + data.iri);
    var client = xapiClient({
      endpoint: endpoint,
      auth: settings.lrs_auth || params.auth || "",
      key: JSON.stringify(actor) + "|" + registration + "|" + data.iri,
      log: ctx.log
    });
    session = xapiSession({
      ctx: ctx,
      client: client,
      statements: xapiStatements({
        data: data,
        actor: actor,
        registration: registration,
        object: xapiActivity(data.iri, XAPI_TYPES + "course", data.locale, data.title, {
          description: xapiLang(data.locale, data.description)
        })
      }),
      cmi5: false,
      normal: writable,
      masteryScore: null,
      sent: { completed: stored.status === "completed" || stored.status === "passed", passed: stored.status === "passed" }
    });
    session.begin();
  }

  return {
    stateLimit: 4096,

    start: function () {
      var empty = { bookmark: "", state: "", masteryScore: null };
      var stored = connect();
      if (!stored) {
        ctx.log("no SCORM 1.2 API found: progress will not be saved");
        return Promise.resolve(empty);
      }
      try {
        track(stored);
      } catch (error) {
        ctx.log("SCORM 1.2 + xAPI: cannot start the statements", String(error));
        session = null;
      }
      return Promise.resolve({
        bookmark: stored.bookmark,
        state: stored.state,
        masteryScore: isFinite(stored.mastery) ? stored.mastery : null
      });
    },

    pageViewed: function (page) {
      if (session) session.pageViewed(page);
    },

    answered: function (answer) {
      if (session) session.answered(answer);
      if (!lms || !writable || !answer.scored || fields.indexOf("id") < 0) return;
      var question = answer.question;
      var prefix = "cmi.interactions." + count + ".";
      [
        ["id", question.id],
        ["type", question.type === "truefalse" ? "true-false" : "choice"],
        ["student_response", pattern(question, answer.response)],
        ["result", answer.correct ? "correct" : "wrong"],
        ["correct_responses", pattern(question, question.correct)],
        ["time", scormClock(answer.timestamp)],
        ["latency", scormTimespan(answer.latencyMs)]
      ].forEach(function (pair) {
        if (fields.indexOf(pair[0]) >= 0) {
          lms.set(prefix + pair[0] + (pair[0] === "correct_responses" ? ".0.pattern" : ""), pair[1]);
        }
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
        lms.set("cmi.core.score.raw", String(result.scoreRaw));
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
