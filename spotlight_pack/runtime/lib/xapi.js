// Shared by the cmi5, tincan and scorm12-xapi adapters (docs/xapi-runtime.md): launch parameters,
// statements in published ADL/cmi5 vocabulary, and an LRS client that survives a lost network.

var XAPI_VERBS = "http://adlnet.gov/expapi/verbs/";
var XAPI_TYPES = "http://adlnet.gov/expapi/activities/";
var XAPI_CMI5 = "https://w3id.org/xapi/cmi5/";
var XAPI_STATE_ID = "https://spotlight-pack.org/xapi/state/bookmark";

function xapiUuid() {
  var b = window.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  var hex = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
}

// FNV-1a, 32 bits: storage keys and derived ids.
function xapiHash(text, seed) {
  var h = 2166136261 ^ (seed || 0);
  for (var i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return ("0000000" + (h >>> 0).toString(16)).slice(-8);
}

// ISO 8601 duration with at most two decimals of a second.
function xapiDuration(ms) {
  var cs = Math.round(Math.max(ms, 0) / 10);
  return "PT" + Math.floor(cs / 360000) + "H" + (Math.floor(cs / 6000) % 60) + "M" + (cs % 6000) / 100 + "S";
}

function xapiParams() {
  var found = {};
  new URLSearchParams(window.location.search).forEach(function (value, name) { found[name] = value; });
  return found;
}

function xapiJson(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    return null;
  }
}

// `promise`, or `fallback` after `ms`: a stalled phone connection must not hold up the course.
function xapiTimeout(promise, ms, fallback) {
  return Promise.race([promise, new Promise(function (resolve) { window.setTimeout(resolve, ms, fallback); })]);
}

function xapiStorage(kind) {
  try {
    window[kind].getItem("x");
    return window[kind];
  } catch (error) {
    return null;
  }
}

// The launch `actor` as an Agent; also reads Tin Can 0.9 actors (arrays, accountName/ServiceHomePage).
function xapiAgent(value) {
  var actor = xapiJson(value);
  if (!actor || typeof actor !== "object") return null;
  function one(item) { return Array.isArray(item) ? item[0] : item; }
  var agent = { objectType: "Agent" };
  var account = one(actor.account);
  if (actor.name) agent.name = String(one(actor.name));
  if (account) agent.account = { homePage: account.homePage || account.accountServiceHomePage, name: account.name || account.accountName };
  else if (actor.mbox) agent.mbox = String(one(actor.mbox)).replace(/^(mailto:)?/, "mailto:");
  else if (actor.mbox_sha1sum || actor.openid) agent[actor.openid ? "openid" : "mbox_sha1sum"] = one(actor.openid || actor.mbox_sha1sum);
  else return null;
  return agent;
}

function xapiLang(locale, text) {
  var map = {};
  map[locale] = text;
  return map;
}

function xapiRef(id) {
  return { objectType: "Activity", id: id };
}

function xapiActivity(id, type, locale, name, extra) {
  var definition = Object.assign({ type: XAPI_TYPES + type, name: xapiLang(locale, name) }, extra);
  return { objectType: "Activity", id: id, definition: definition };
}

// The course as the object of session statements (Tin Can, SCORM 1.2 + xAPI).
function xapiCourse(data, id) {
  return xapiActivity(id || data.iri, "course", data.locale, data.title, { description: xapiLang(data.locale, data.description) });
}

// Adds `add` to a copy of `base` without overwriting: contextActivities lists are appended to,
// extensions and other members only added when absent (the cmi5 contextTemplate stays intact).
function xapiMergeContext(base, add) {
  var context = JSON.parse(JSON.stringify(base || {}));
  Object.keys(add).forEach(function (key) {
    var value = add[key];
    if (key === "contextActivities" || key === "extensions") {
      var target = context[key] = context[key] || {};
      Object.keys(value).forEach(function (name) {
        if (key === "extensions") {
          if (!(name in target)) target[name] = value[name];
          return;
        }
        var list = [].concat(target[name] || []);
        value[name].forEach(function (item) {
          if (!list.some(function (have) { return have.id === item.id; })) list.push(item);
        });
        if (list.length) target[name] = list;
      });
    } else if (!(key in context) && value) {
      context[key] = value;
    }
  });
  return context;
}

// Statement factory. opts: {data, actor, registration, object (of session statements), template
// (context to start from), grouping (more grouping ids), platform}.
function xapiStatements(opts) {
  var data = opts.data;
  var locale = data.locale;
  var find = function (list, id) { return list.filter(function (item) { return item.id === id; })[0]; };
  // the course is typed wherever it appears, so any reader can tell which course a statement is in
  var ref = function (id) {
    return id === data.iri ? { objectType: "Activity", id: id, definition: { type: XAPI_TYPES + "course" } } : xapiRef(id);
  };

  // parent: the module or quiz; grouping: the course (and a self-check's module), never the object or a parent.
  function make(verb, object, result, parents, groups, more, when) {
    var skip = [object.id].concat(parents);
    var grouping = [data.iri].concat(groups, opts.grouping || []).filter(function (id) { return skip.indexOf(id) < 0; });
    var activities = { grouping: grouping.map(ref) };
    if (parents.length) activities.parent = parents.map(ref);
    var context = xapiMergeContext(opts.template, {
      registration: opts.registration, language: locale, platform: opts.platform, contextActivities: activities
    });
    var statement = {
      id: xapiUuid(),
      actor: opts.actor,
      verb: { id: XAPI_VERBS + verb, display: { "en-US": verb } },
      object: object,
      context: more ? xapiMergeContext(context, more) : context,
      timestamp: (when || new Date()).toISOString()
    };
    if (result) statement.result = result;
    return statement;
  }

  return {
    session: function (verb, result, more) {
      return make(verb, opts.object, result, [], [], more);
    },
    experienced: function (page, progress, when) {
      var module = find(data.modules, page.module);
      var object = xapiActivity(page.iri, page.kind === "page" ? "lesson" : "assessment", locale, page.title);
      var result = progress === null ? null : { extensions: {} };
      if (result) result.extensions[XAPI_CMI5 + "result/extensions/progress"] = Math.round(progress * 100);
      return make("experienced", object, result, [module ? module.iri : data.iri], [], null, when);
    },
    // A cmi.interaction activity: the question type gives interactionType, the pattern (none for a
    // survey item) and the component lists (choices, source/target, scale) in the xAPI syntax.
    answered: function (answer) {
      var question = answer.question;
      var interaction = answer.interaction;
      var quiz = find(data.pages, question.quiz);
      var module = quiz && find(data.modules, quiz.module);
      var extra = Object.assign({
        description: xapiLang(locale, question.prompt),
        interactionType: interaction.type.xapi
      }, interaction.components);
      if (interaction.patterns.xapi !== null) extra.correctResponsesPattern = interaction.patterns.xapi;
      var result = { response: interaction.response.xapi, duration: xapiDuration(answer.latencyMs) };
      if (answer.correct !== null) result.success = answer.correct;
      return make("answered", xapiActivity(question.iri, "cmi.interaction", locale, question.prompt, extra), result,
        [quiz ? quiz.iri : data.iri], module ? [module.iri] : [], null, answer.timestamp);
    }
  };
}

// The LRS client. opts: {endpoint, auth, key (actor + registration + course: the queue's name), log}.
// send() stores the statement in localStorage first; the pump POSTs the queue oldest first in
// batches, and forgets statements only once the LRS has them (200/204, or 409: that id is stored).
// Failures retry with backoff (1 s … 60 s) and at once on `online`. Ids never change, so a
// statement sent twice is stored once.
function xapiClient(opts) {
  var endpoint = opts.endpoint.replace(/\/?$/, "/");
  var storage = xapiStorage("localStorage");
  var prefix = "spotlight:xapi:" + xapiHash(opts.key) + xapiHash(opts.key, 1) + ":";
  var key = prefix + xapiUuid().slice(0, 8); // one queue per page, so two tabs never overwrite each other
  var queue = [];
  var documents = {}; // PUT URL → body, the last one wins
  var batchSize = 25;
  var busy = false;
  var delay = 0;
  var timer = null;
  var waiting = [];
  var closed = false;

  // Unsent statements and documents: {q: [statement…], d: {PUT URL: body}}.
  function remember() {
    try {
      if (idle()) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify({ q: queue, d: documents }));
    } catch (error) {
      // no storage (or full): the queue lives in memory only
    }
  }

  // Adopt what earlier pages (closed, crashed, or another tab) left unsent, oldest first.
  var sources = 0;
  Object.keys(storage || {}).forEach(function (name) {
    if (name.indexOf(prefix) !== 0) return;
    var kept = xapiJson(storage.getItem(name)) || {};
    sources += 1;
    (kept.q || []).forEach(function (statement) {
      if (!queue.some(function (have) { return have.id === statement.id; })) queue.push(statement);
    });
    Object.keys(kept.d || {}).forEach(function (target) { documents[target] = kept.d[target]; });
    storage.removeItem(name);
  });
  if (sources > 1) {
    queue.sort(function (a, b) { return a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0; });
  }
  remember();

  function url(path, query) {
    var parts = Object.keys(query || {}).filter(function (name) { return query[name]; }).map(function (name) {
      var value = query[name];
      return name + "=" + encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value));
    });
    return endpoint + path + (parts.length ? "?" + parts.join("&") : "");
  }

  function request(method, target, body, keepalive) {
    var headers = { "X-Experience-API-Version": "1.0.3" };
    if (opts.auth) headers.Authorization = opts.auth;
    if (body) headers["Content-Type"] = "application/json";
    return window.fetch(target, {
      method: method, headers: headers, body: body, keepalive: !!keepalive, credentials: "omit", cache: "no-store"
    });
  }

  function post(batch, keepalive) {
    var ids = batch.map(function (statement) { return statement.id; });
    return request("POST", url("statements"), JSON.stringify(batch), keepalive).then(function (response) {
      var status = response.status;
      var refused = status === 400 || status === 403; // invalid, or e.g. a cmi5 session the LMS closed
      if ((refused || status === 409) && batch.length > 1) batchSize = 1; // one by one: which one?
      else if (response.ok || status === 409 || refused) {
        if (refused) opts.log("xAPI: the LRS refused a statement; dropped", batch[0]);
        queue = queue.filter(function (statement) { return ids.indexOf(statement.id) < 0; });
        remember();
      } else throw new Error("LRS answered " + status);
    });
  }

  function step() {
    if (queue.length) return post(queue.slice(0, batchSize));
    var name = Object.keys(documents)[0];
    var body = documents[name];
    return request("PUT", name, body).then(function (response) {
      if (response.status >= 500 || response.status === 401 || response.status === 429) {
        throw new Error("LRS answered " + response.status);
      }
      if (!response.ok) opts.log("xAPI: the LRS refused a document", response.status);
      if (documents[name] === body) delete documents[name];
      remember();
    });
  }

  function idle() {
    return !queue.length && !Object.keys(documents).length;
  }

  function pump() {
    if (busy || timer) return;
    if (idle()) {
      waiting.splice(0).forEach(function (resolve) { resolve(); });
      return;
    }
    busy = true;
    step().then(function () {
      busy = false;
      delay = 0;
      pump();
    }, function (error) {
      busy = false;
      if (!delay) opts.log("xAPI: LRS not reachable; statements kept to send later", String(error));
      delay = Math.min(delay * 2 || 1000, 60000);
      timer = window.setTimeout(function () {
        timer = null;
        pump();
      }, delay);
    });
  }

  function now() {
    window.clearTimeout(timer);
    timer = null;
    pump();
  }
  window.addEventListener("online", now);

  return {
    send: function (statement) {
      if (closed) return;
      queue.push(statement);
      remember();
      pump();
    },
    // GET a document: its JSON, or null (absent, unreachable, or no answer within 10 s). A copy
    // still waiting to be sent is newer than the LRS's.
    get: function (path, query) {
      var local = documents[url(path, query)];
      if (local) return Promise.resolve(xapiJson(local));
      return xapiTimeout(request("GET", url(path, query)).then(function (response) {
        if (response.status === 404) return null;
        if (!response.ok) throw new Error("LRS answered " + response.status);
        return response.text().then(xapiJson);
      }), 10000, null).catch(function (error) {
        opts.log("xAPI: cannot read " + path, String(error));
        return null;
      });
    },
    put: function (path, query, value) {
      if (closed) return;
      documents[url(path, query)] = JSON.stringify(value);
      remember();
      pump();
    },
    // Resolves once the LRS has everything, or after `ms` with the rest still queued.
    drain: function (ms) {
      return new Promise(function (resolve) {
        waiting.push(resolve);
        window.setTimeout(resolve, ms);
        now();
      });
    },
    // The page goes away: hand the queue to keepalive requests (64 KB in all), which outlive it.
    // What they do not confirm stays queued for the next launch (same ids: stored once).
    unload: function () {
      closed = true;
      var budget = 60000;
      var batch = [];
      queue.concat([null]).forEach(function (statement) {
        var size = statement ? new Blob([JSON.stringify(statement)]).size + 1 : 0; // UTF-8 bytes
        if (batch.length && (!statement || batch.length === 25 || size > budget)) {
          post(batch, true).catch(function () { /* stays queued */ });
          batch = [];
        }
        if (statement && size <= budget) {
          batch.push(statement);
          budget -= size;
        }
      });
      Object.keys(documents).forEach(function (name) {
        budget -= new Blob([documents[name]]).size;
        if (budget > 0) request("PUT", name, documents[name], true).catch(function () { /* lost */ });
      });
    },
    pending: function () {
      return !idle();
    }
  };
}

// What the three adapters do alike. opts: {client, statements, cmi5 (cmi5 categories and
// masteryscore), normal (false in cmi5 Browse/Review: only initialized and terminated),
// masteryScore (0–1 or null), sent ({completed, passed} already sent in this registration)}.
function xapiSession(opts) {
  var make = opts.statements;
  var client = opts.client;
  var sent = opts.sent;
  var startedAt = Date.now();
  var failed = false;
  var ended = false;
  var pending = null;
  var progress = 0;

  function more(moveOn, extensions) {
    if (!opts.cmi5) return null;
    var category = [xapiRef(XAPI_CMI5 + "context/categories/cmi5")];
    if (moveOn) category.push(xapiRef(XAPI_CMI5 + "context/categories/moveon"));
    return { contextActivities: { category: category }, extensions: extensions || {} };
  }

  function duration() {
    return xapiDuration(Date.now() - startedAt);
  }

  // A page's experienced statement waits for the progress the player reports right after it;
  // no progress once completed was sent (cmi5 §9.5.5.1).
  function flush(value) {
    if (typeof value === "number") progress = value;
    if (pending && opts.normal) client.send(make.experienced(pending.page, sent.completed ? null : progress, pending.at));
    pending = null;
  }

  function outcome(verb, scaled) {
    var extensions = {};
    if (opts.masteryScore !== null) extensions[XAPI_CMI5 + "context/extensions/masteryscore"] = opts.masteryScore;
    var result = {
      success: verb === "passed", duration: duration(),
      score: { scaled: scaled, raw: Math.round(scaled * 100), min: 0, max: 100 }
    };
    client.send(make.session(verb, result, more(true, extensions)));
  }

  return {
    sent: sent,
    flush: flush,
    begin: function () {
      client.send(make.session("initialized", null, more(false)));
    },
    pageViewed: function (page) {
      flush();
      pending = { page: page, at: new Date() };
    },
    answered: function (answer) {
      flush();
      if (opts.normal) client.send(make.answered(answer));
    },
    setResult: function (r) {
      flush(r.progress);
      if (!opts.normal) return;
      if (r.completed && !sent.completed) {
        sent.completed = true;
        client.send(make.session("completed", { completion: true, duration: duration() }, more(true)));
      }
      // one of passed/failed per session, passed once per registration, no failed after passed
      if (r.passed === null || r.scoreRaw === null || sent.passed || failed) return;
      var scaled = Math.round(r.scoreRaw * 100) / 10000;
      if (opts.masteryScore === null ? r.passed : scaled >= opts.masteryScore) {
        sent.passed = true;
        outcome("passed", scaled);
      } else {
        failed = true;
        outcome("failed", scaled);
      }
    },
    // terminated; then on "unload" keepalive requests, else wait (5 s at most) for the LRS.
    end: function (reason) {
      if (ended) return Promise.resolve();
      flush();
      ended = true;
      client.send(make.session("terminated", { duration: duration() }, more(false)));
      if (reason === "unload") return Promise.resolve(client.unload());
      return client.drain(5000).then(function () {
        if (client.pending()) client.unload();
      });
    }
  };
}

// The adapter members cmi5 and tincan share (bookmark and state in the State document `query`).
function xapiAdapter(ref) {
  return {
    stateLimit: Infinity,
    pageViewed: function (page) {
      if (ref.session) ref.session.pageViewed(page);
    },
    answered: function (answer) {
      if (ref.session) ref.session.answered(answer);
    },
    setResult: function (result) {
      if (ref.session) ref.session.setResult(result);
    },
    save: function (snapshot) {
      if (!ref.session) return;
      ref.session.flush(snapshot.progress);
      ref.client.put("activities/state", ref.query, {
        bookmark: snapshot.bookmark,
        state: ref.state === undefined ? snapshot.state : ref.state,
        completed: ref.session.sent.completed,
        passed: ref.session.sent.passed
      });
    },
    finish: function (reason) {
      var session = ref.session;
      ref.session = null;
      return session ? session.end(reason) : Promise.resolve();
    }
  };
}
