// @requires lib/outcome.js
// @requires lib/scorm.js
// @requires lib/scorm12.js
// @requires lib/xapi.js
// SCORM 1.2 + xAPI: the LMS gets exactly what the scorm12 adapter writes (the same library code);
// the LRS of data.settings.lrs_endpoint (else the launch URL's endpoint/auth) gets Tin Can's
// statements about the learner cmi.core.student_id, an account on settings.actor_homepage (default:
// the LMS's origin). Both sides follow the outcome policy (lib/outcome.js); what the LRS got in
// earlier sessions is what the LMS held at start (lesson_status, score.raw): the LMS gets every
// verdict at once, the LRS a held failed verdict at the end of the session, so they agree after
// every session that ends. (A course completed in an earlier session is known from suspend_data,
// by the player.)

function createAdapter(ctx) {
  var data = ctx.data;
  var settings = data.settings || {};
  var lms = scormAdapter(ctx, scorm12Dialect());
  var session = null;

  // SCORM 1.2 has no registration: without a launch `registration`, one derived from the learner,
  // course and LMS, the same on every launch and device.
  function track() {
    var params = xapiParams();
    var endpoint = settings.lrs_endpoint || params.endpoint;
    var student = lms.get("cmi.core.student_id");
    if (!endpoint || !student) {
      ctx.log("SCORM 1.2 + xAPI: no LRS endpoint or no cmi.core.student_id; no statements");
      return;
    }
    var origin = window.location.origin;
    var homePage = settings.actor_homepage || (origin !== "null" ? origin : data.iri);
    var actor = { objectType: "Agent", account: { homePage: homePage, name: student } };
    var name = lms.get("cmi.core.student_name");
    if (name) actor.name = name;
    var seed = JSON.stringify(actor.account) + data.iri;
    var derived = [0, 1, 2, 3].map(function (i) { return xapiHash(seed, i); }).join("");
    var registration = params.registration || derived.replace(/^(.{8})(.{4}).(.{3}).(.{3})/, "$1-$2-8$3-a$4-");
    var mode = lms.get("cmi.core.lesson_mode");
    session = xapiSession({
      client: xapiClient({
        endpoint: endpoint,
        auth: settings.lrs_auth || params.auth,
        key: JSON.stringify(actor) + registration + data.iri,
        log: ctx.log
      }),
      statements: xapiStatements({ data: data, actor: actor, registration: registration, object: xapiCourse(data) }),
      normal: mode !== "browse" && mode !== "review",
      masteryScore: null,
      reported: lms.reported
    });
    session.begin();
  }

  return {
    stateLimit: lms.stateLimit,
    start: function () {
      return lms.start().then(function (stored) {
        try {
          track();
        } catch (error) {
          ctx.log("SCORM 1.2 + xAPI: no statements", String(error));
        }
        return stored;
      });
    },
    pageViewed: function (page) {
      if (session) session.pageViewed(page);
    },
    answered: function (answer) {
      if (session) session.answered(answer);
      lms.answered(answer);
    },
    track: function (record) {
      if (session) session.track(record);
      lms.track(record);
    },
    setResult: function (result) {
      if (session) session.setResult(result);
      lms.setResult(result);
    },
    save: function (snapshot) {
      if (session) session.flush(snapshot.progress);
      lms.save(snapshot);
    },
    finish: function (reason) {
      var ending = session ? session.end(reason) : Promise.resolve();
      session = null;
      return Promise.all([ending, lms.finish(reason)]);
    }
  };
}
