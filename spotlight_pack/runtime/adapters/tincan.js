// @requires lib/outcome.js
// @requires lib/xapi.js
// Tin Can (Rustici launch): endpoint, auth, actor, registration, activity_id (also activity_platform,
// grouping) in the launch URL. Statements: initialized, experienced, answered, completed,
// passed/failed, terminated; bookmark and state in a State document of the course activity.

function createAdapter(ctx) {
  var ref = {};
  var adapter = xapiAdapter(ref);

  adapter.start = function () {
    var params = xapiParams();
    var actor = xapiAgent(params.actor);
    if (!params.endpoint || !actor) {
      ctx.log("Tin Can: launch parameters endpoint and actor missing; not tracking");
      return Promise.resolve({ bookmark: "", state: "", masteryScore: null });
    }
    var registration = params.registration;
    var activityId = params.activity_id || ctx.data.iri;
    var client = xapiClient({
      endpoint: params.endpoint,
      auth: params.auth,
      key: JSON.stringify(actor) + registration + activityId,
      log: ctx.log
    });
    ref.query = { activityId: activityId, agent: actor, registration: registration, stateId: XAPI_STATE_ID };
    return client.get("activities/state", ref.query).then(function (saved) {
      saved = saved || {};
      ref.client = client;
      ref.session = xapiSession({
        client: client,
        statements: xapiStatements({
          data: ctx.data,
          actor: actor,
          registration: registration,
          object: xapiCourse(ctx.data, activityId),
          grouping: params.grouping ? [params.grouping] : [],
          platform: params.activity_platform
        }),
        normal: true,
        masteryScore: null,
        reported: saved
      });
      ref.session.begin();
      return { bookmark: String(saved.bookmark || ""), state: String(saved.state || ""), masteryScore: null };
    });
  };

  return adapter;
}
