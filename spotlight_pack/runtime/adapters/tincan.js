// @requires lib/xapi.js
// Tin Can (Rustici launch): endpoint, auth, actor, registration and activity_id in the launch URL.
// Statements: initialized, experienced, answered, completed, passed/failed, terminated (ADL verbs);
// bookmark and state in the State document STATE_ID of the course activity.

function createAdapter(ctx) {
  var STATE_ID = "https://spotlight-pack.org/xapi/state/bookmark";
  var data = ctx.data;
  var session = null;
  var client = null;
  var stateQuery = null;

  return {
    stateLimit: Infinity,

    start: function () {
      var empty = { bookmark: "", state: "", masteryScore: null };
      var params = xapiParams();
      var actor = xapiAgent(params.actor);
      if (!params.endpoint || !actor) {
        ctx.log("Tin Can: launch parameters endpoint and actor are required; not tracking");
        return Promise.resolve(empty);
      }
      var registration = params.registration || null;
      var activityId = params.activity_id || data.iri;
      client = xapiClient({
        endpoint: params.endpoint,
        auth: params.auth || "",
        key: JSON.stringify(actor) + "|" + registration + "|" + activityId,
        log: ctx.log
      });
      stateQuery = { activityId: activityId, agent: actor, registration: registration || undefined, stateId: STATE_ID };
      return client.getDocument("activities/state", stateQuery).then(function (saved) {
        saved = saved || {};
        session = xapiSession({
          ctx: ctx,
          client: client,
          statements: xapiStatements({
            data: data,
            actor: actor,
            registration: registration,
            object: xapiActivity(activityId, XAPI_TYPES + "course", data.locale, data.title, {
              description: xapiLang(data.locale, data.description)
            }),
            grouping: params.grouping ? [params.grouping] : [],
            platform: params.activity_platform
          }),
          cmi5: false,
          normal: true,
          masteryScore: null,
          sent: { completed: !!saved.completed, passed: !!saved.passed }
        });
        session.begin();
        return { bookmark: String(saved.bookmark || ""), state: String(saved.state || ""), masteryScore: null };
      });
    },

    pageViewed: function (page) {
      if (session) session.pageViewed(page);
    },

    answered: function (answer) {
      if (session) session.answered(answer);
    },

    setResult: function (result) {
      if (session) session.setResult(result);
    },

    save: function (snapshot) {
      if (!session) return;
      session.flush(snapshot.progress);
      client.putDocument("activities/state", stateQuery, {
        bookmark: snapshot.bookmark,
        state: snapshot.state,
        completed: session.sent.completed,
        passed: session.sent.passed
      });
    },

    finish: function (reason) {
      if (!session) return Promise.resolve();
      var ending = session.end(reason);
      session = null;
      return ending;
    }
  };
}
