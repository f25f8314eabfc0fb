// @requires lib/xapi.js
// cmi5: the LMS launches the AU with endpoint, fetch, actor, registration and activityId; the AU
// gets its token from the fetch URL (once), reads LMS.LaunchData and cmi5LearnerPreferences,
// and sends the cmi5-defined statements (initialized, completed, passed/failed, terminated) plus
// "cmi5 allowed" experienced/answered statements. Bookmark and state: the State document
// STATE_ID of the AU (never LMS.LaunchData). On Exit it returns to LaunchData's returnURL.

function createAdapter(ctx) {
  var STATE_ID = "https://spotlight-pack.org/xapi/state/bookmark";
  var data = ctx.data;
  var params = xapiParams();
  var session = null;
  var client = null;
  var stateQuery = null;
  var stored = { bookmark: "", state: "" };
  var normal = true;
  var returnURL = "";
  var memoKey = "spotlight:cmi5:" + xapiHash(String(params.fetch)).toString(36);
  var memo = xapiStorage("sessionStorage");

  function remember(value) {
    try {
      if (memo) memo.setItem(memoKey, JSON.stringify(value));
    } catch (error) {
      // a reload of this page will not find the token again
    }
  }

  // The fetch URL answers once (cmi5 §8.2): the token is kept for this browser tab's session so a
  // reload of the AU page does not lose it.
  function token() {
    var kept = memo && xapiJson(memo.getItem(memoKey));
    if (kept && kept.token) return Promise.resolve(kept);
    return window.fetch(params.fetch, { method: "POST", credentials: "omit", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (!body || !body["auth-token"]) {
          throw new Error("fetch URL: error-code " + (body && body["error-code"]) + " " + (body && body["error-text"]));
        }
        var value = { token: body["auth-token"], ended: false };
        remember(value);
        return value;
      });
  }

  function noop() {
    // not launched by a cmi5 LMS: nothing to report
  }

  var adapter = {
    stateLimit: Infinity,

    start: function () {
      var empty = { bookmark: "", state: "", masteryScore: null };
      var actor = xapiAgent(params.actor);
      if (!params.endpoint || !params.fetch || !actor || !params.activityId || !params.registration) {
        ctx.log("cmi5: launch parameters endpoint, fetch, actor, registration and activityId are required; not tracking");
        return Promise.resolve(empty);
      }
      return token().then(function (kept) {
        client = xapiClient({
          endpoint: params.endpoint,
          auth: "Basic " + kept.token,
          key: JSON.stringify(actor) + "|" + params.registration + "|" + params.activityId,
          log: ctx.log
        });
        var scope = { activityId: params.activityId, agent: actor, registration: params.registration };
        stateQuery = { activityId: params.activityId, agent: actor, registration: params.registration, stateId: STATE_ID };
        return Promise.all([
          client.getDocument("activities/state", Object.assign({ stateId: "LMS.LaunchData" }, scope)),
          client.getDocument("agents/profile", { agent: actor, profileId: "cmi5LearnerPreferences" }),
          client.getDocument("activities/state", stateQuery)
        ]).then(function (found) {
          var launch = found[0] || {};
          var saved = found[2] || {};
          if (!found[0]) ctx.log("cmi5: no LMS.LaunchData document; using defaults");
          if (found[1] && found[1].languagePreference) {
            ctx.log("cmi5: learner language preference " + found[1].languagePreference + " (course is " + data.locale + ")");
          }
          normal = !launch.launchMode || launch.launchMode === "Normal";
          returnURL = launch.returnURL || "";
          stored = { bookmark: String(saved.bookmark || ""), state: String(saved.state || "") };
          var mastery = typeof launch.masteryScore === "number" ? launch.masteryScore : null;
          if (kept.ended) {
            ctx.log("cmi5: this session already ended (terminated); relaunch from the LMS to be tracked");
            normal = false;
            client = null;
            return { bookmark: stored.bookmark, state: stored.state, masteryScore: null };
          }
          session = xapiSession({
            ctx: ctx,
            client: client,
            statements: xapiStatements({
              data: data,
              actor: actor,
              registration: params.registration,
              object: xapiRef(params.activityId),
              template: launch.contextTemplate || {}
            }),
            cmi5: true,
            normal: normal,
            masteryScore: mastery,
            sent: { completed: !!saved.completed, passed: !!saved.passed }
          });
          session.begin();
          return {
            bookmark: stored.bookmark,
            state: stored.state,
            masteryScore: mastery === null ? null : Math.round(mastery * 10000) / 100
          };
        });
      }).catch(function (error) {
        ctx.log("cmi5: cannot start the session; not tracking", String(error));
        session = null;
        return empty;
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
        state: normal ? snapshot.state : stored.state,
        completed: session.sent.completed,
        passed: session.sent.passed
      });
    },

    finish: function (reason) {
      if (!session) return Promise.resolve();
      remember({ token: (xapiJson(memo && memo.getItem(memoKey)) || {}).token, ended: true });
      var ending = session.end(reason);
      session = null;
      if (reason !== "exit" || !returnURL) return ending;
      return ending.then(function () {
        window.location.assign(returnURL);
        return new Promise(noop);
      });
    }
  };
  return adapter;
}
