// @requires lib/outcome.js
// @requires lib/xapi.js
// cmi5 AU: launched with endpoint, fetch, actor, registration, activityId. Token from the fetch URL
// (one POST), LMS.LaunchData and cmi5LearnerPreferences read at start; cmi5-defined statements
// (initialized, completed, passed/failed, terminated) plus allowed experienced/answered ones, by the
// outcome policy (lib/outcome.js: passed at once, failed held to the end of the session); the
// bookmark and what the registration reported in the AU's own State document; Exit returns to
// LaunchData's returnURL.

function createAdapter(ctx) {
  var params = xapiParams();
  var ref = {};
  var adapter = xapiAdapter(ref);
  var returnURL = "";
  var memo = xapiStorage("sessionStorage");
  var memoKey = "spotlight:cmi5:" + xapiHash(String(params.fetch));

  function remember(value) {
    try {
      memo.setItem(memoKey, JSON.stringify(value));
    } catch (error) {
      // a reload of this page cannot get the token again
    }
  }

  // The fetch URL answers once (cmi5 §8.2): the token is kept for this tab so a reload still works.
  function token() {
    var kept = memo && xapiJson(memo.getItem(memoKey));
    if (kept) return Promise.resolve(kept);
    var answer = window.fetch(params.fetch, { method: "POST", credentials: "omit", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (!body["auth-token"]) throw new Error("fetch URL: error " + body["error-code"] + " " + body["error-text"]);
        kept = { token: body["auth-token"] };
        // even if it came too late: a reload can use it
        remember(kept);
        return kept;
      });
    return xapiTimeout(answer, 15000, null).then(function (value) {
      if (!value) throw new Error("fetch URL: no answer in 15 s");
      return value;
    });
  }

  adapter.start = function () {
    var empty = { bookmark: "", state: "", masteryScore: null };
    // the launch actor exactly as the LMS wrote it (§9.2; CATAPULT compares it verbatim)
    var actor = xapiAgent(params.actor) && xapiJson(params.actor);
    var registration = params.registration;
    var activityId = params.activityId;
    if (!params.endpoint || !params.fetch || !actor || !registration || !activityId) {
      ctx.log("cmi5: launch parameters endpoint, fetch, actor, registration, activityId missing; not tracking");
      return Promise.resolve(empty);
    }
    var scope = { activityId: activityId, agent: actor, registration: registration };
    return token().then(function (kept) {
      // The fetch URL is one per launch: it names the session, whose statements no other session
      // may send. After the session ended (a reload) nothing left over is sent.
      var client = xapiClient({
        endpoint: params.endpoint,
        auth: "Basic " + kept.token,
        key: JSON.stringify(actor) + registration + activityId,
        log: ctx.log,
        session: xapiHash(String(params.fetch)) + xapiHash(String(params.fetch), 1),
        adopt: !kept.ended
      });
      ref.query = Object.assign({ stateId: XAPI_STATE_ID }, scope);
      return Promise.all([
        client.get("activities/state", Object.assign({ stateId: "LMS.LaunchData" }, scope)),
        client.get("agents/profile", { agent: actor, profileId: "cmi5LearnerPreferences" }),
        client.get("activities/state", ref.query)
      ]).then(function (found) {
        var launch = found[0] || {};
        var saved = found[2] || {};
        var normal = !launch.launchMode || launch.launchMode === "Normal";
        var mastery = typeof launch.masteryScore === "number" ? launch.masteryScore : null;
        var stored = { bookmark: String(saved.bookmark || ""), state: String(saved.state || ""), masteryScore: null };
        if (!found[0]) ctx.log("cmi5: no LMS.LaunchData; tracking with defaults");
        if (kept.ended) {
          ctx.log("cmi5: this session was terminated; launch again from the LMS to be tracked");
          return stored;
        }
        returnURL = launch.returnURL || "";
        ref.client = client;
        ref.state = normal ? undefined : stored.state;
        ref.session = xapiSession({
          client: client,
          statements: xapiStatements({
            data: ctx.data,
            actor: actor,
            registration: registration,
            object: xapiRef(activityId),
            template: launch.contextTemplate
          }),
          cmi5: true,
          normal: normal,
          masteryScore: mastery,
          reported: saved
        });
        ref.session.begin();
        stored.masteryScore = mastery === null ? null : Math.round(mastery * 10000) / 100;
        return stored;
      });
    }).catch(function (error) {
      ctx.log("cmi5: cannot start; not tracking", String(error));
      return empty;
    });
  };

  var finish = adapter.finish;
  adapter.finish = function (reason) {
    if (!ref.session) return Promise.resolve();
    var kept = xapiJson(memo && memo.getItem(memoKey)) || {};
    kept.ended = true;
    remember(kept);
    return finish(reason).then(function () {
      if (reason !== "exit" || !returnURL) return;
      window.location.assign(returnURL);
      return new Promise(function () { /* the LMS page replaces this one */ });
    });
  };

  return adapter;
}
