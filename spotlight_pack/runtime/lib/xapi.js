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
    // A block's statement (runtime/blocks/engine.js): its own verb IRI, object, result and context.
    track: function (x) {
      var statement = make("", x.object, x.result || null, x.parent || [], x.grouping || [], x.context || null,
        x.timestamp);
      statement.verb = { id: x.verb, display: { "en-US": x.display } };
      return statement;
    },
    // A cmi.interaction activity: the question type gives interactionType, the pattern (none for a
    // survey item) and the component lists (choices, source/target, scale) in the xAPI syntax. Its
    // parent is the quiz page, or for an in-page check the content page it is on.
    answered: function (answer) {
      var question = answer.question;
      var interaction = answer.interaction;
      var quiz = find(data.pages, answer.page || question.quiz);
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

// The LRS client. opts: {endpoint, auth, key (actor + registration + course: the queue's name), log,
// session (cmi5: the launch session; statements queued by another session are never sent),
// adopt (default true: take over what earlier pages left unsent)}.
// send() stores the statement in localStorage first; the pump POSTs the queue oldest first in
// batches, then the State documents, then the `last` statement (cmi5 terminated: nothing may follow
// it), and forgets each only once the LRS has it (200/204, or 409: that id is stored). Failures
// retry with backoff (1 s … 60 s) and at once on `online`. Ids never change, so a statement sent
// twice is stored once.
// Requests up to 32 KB are keepalive, so one under way when the page goes away still arrives, and
// unload() does not send it again (a cmi5 LMS refuses a defined statement it has).
// The pump starts after the current task: what the page queues while it goes away (the last
// document, a held verdict, terminated) leaves in unload()'s one request, in order.
function xapiClient(opts) {
  var endpoint = opts.endpoint.replace(/\/?$/, "/");
  var storage = xapiStorage("localStorage");
  var prefix = "spotlight:xapi:" + xapiHash(opts.key) + xapiHash(opts.key, 1) + ":";
  // one queue per page, so two tabs never overwrite each other
  var key = prefix + xapiUuid().slice(0, 8);
  var queue = [];
  // PUT URL → body, the last one wins
  var documents = {};
  // PUT URL → the body the LRS confirmed last: the same body is not sent again
  var stored = {};
  var last = null;
  var batchSize = 25;
  // what is under way: {ids (statements), name (document), bytes, keepalive}
  var busy = null;
  var delay = 0;
  var timer = null;
  var waiting = [];
  var closed = false;
  var unloaded = false;

  // Unsent statements and documents: {q: [statement…], d: {PUT URL: body}, f: last statement, s: session}.
  function remember() {
    try {
      if (idle()) storage.removeItem(key);
      else storage.setItem(key, JSON.stringify({ q: queue, d: documents, f: last, s: opts.session }));
    } catch (error) {
      // no storage (or full): the queue lives in memory only
    }
  }

  // Adopt what earlier pages (closed, crashed, or another tab) left unsent, oldest first. A cmi5
  // session's statements can only be stored during that session (cmi5 §9.3.8): those of another
  // session are dropped, its documents kept.
  var sources = 0;
  Object.keys(opts.adopt === false ? {} : storage || {}).forEach(function (name) {
    if (name.indexOf(prefix) !== 0) return;
    var kept = xapiJson(storage.getItem(name)) || {};
    var statements = (kept.q || []).concat(kept.f ? [kept.f] : []);
    if (kept.s !== opts.session && statements.length) {
      opts.log("xAPI: " + statements.length + " statements of an ended session dropped");
      statements = [];
    }
    sources += 1;
    statements.forEach(function (statement) {
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

  function bytes(text) {
    return new Blob([text]).size;
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
      // invalid, or e.g. a cmi5 session the LMS closed
      var refused = status === 400 || status === 403;
      // one by one: which one?
      if ((refused || status === 409) && batch.length > 1) batchSize = 1;
      else if (response.ok || status === 409 || refused) {
        if (refused) opts.log("xAPI: the LRS refused a statement; dropped", batch[0]);
        queue = queue.filter(function (statement) { return ids.indexOf(statement.id) < 0; });
        if (last && ids.indexOf(last.id) >= 0) last = null;
        remember();
      } else throw new Error("LRS answered " + status);
    });
  }

  function step() {
    var name = Object.keys(documents)[0];
    if (queue.length || name === undefined) {
      var batch = queue.length ? queue.slice(0, batchSize) : [last];
      var size = bytes(JSON.stringify(batch));
      busy = { ids: batch.map(function (statement) { return statement.id; }), bytes: size, keepalive: size <= 32000 };
      return post(batch, busy.keepalive);
    }
    var body = documents[name];
    busy = { ids: [], name: name, body: body, bytes: bytes(body), keepalive: bytes(body) <= 32000 };
    return request("PUT", name, body, busy.keepalive).then(function (response) {
      if (response.status >= 500 || response.status === 401 || response.status === 429) {
        throw new Error("LRS answered " + response.status);
      }
      if (!response.ok) opts.log("xAPI: the LRS refused a document", response.status);
      else stored[name] = body;
      if (documents[name] === body) delete documents[name];
      remember();
    });
  }

  function idle() {
    return !queue.length && !Object.keys(documents).length && !last;
  }

  function pump() {
    if (busy || timer || unloaded) return;
    if (idle()) {
      waiting.splice(0).forEach(function (resolve) { resolve(); });
      return;
    }
    step().then(function () {
      busy = null;
      delay = 0;
      pump();
    }, function (error) {
      busy = null;
      if (!delay) opts.log("xAPI: LRS not reachable; statements kept to send later", String(error));
      delay = Math.min(delay * 2 || 1000, 60000);
      timer = window.setTimeout(function () {
        timer = null;
        pump();
      }, delay);
    });
  }

  function later() {
    Promise.resolve().then(pump);
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
      later();
    },
    // The statement that ends the session: sent after everything else; nothing can be added after it.
    last: function (statement) {
      if (closed) return;
      closed = true;
      last = statement;
      remember();
      later();
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
      var target = url(path, query);
      var body = JSON.stringify(value);
      if (closed || (stored[target] === body && !(target in documents))) return;
      documents[target] = body;
      remember();
      later();
    },
    // Resolves once the LRS has everything, or after `ms` with the rest still queued.
    drain: function (ms) {
      return new Promise(function (resolve) {
        waiting.push(resolve);
        window.setTimeout(resolve, ms);
        now();
      });
    },
    // The page goes away: what is not under way leaves in keepalive requests (64 KB in all with
    // the one under way), which outlive the page: the documents, then the statements, `last` in the
    // final batch. What they do not confirm stays queued for the next launch (same ids: stored once).
    unload: function () {
      closed = true;
      unloaded = true;
      var sent = busy && busy.keepalive ? busy : { ids: [], bytes: 0 };
      var budget = 60000 - sent.bytes;
      Object.keys(documents).forEach(function (name) {
        if (name === sent.name && documents[name] === sent.body) return;
        budget -= bytes(documents[name]);
        if (budget > 0) request("PUT", name, documents[name], true).catch(function () { /* lost */ });
      });
      var batch = [];
      queue.concat(last ? [last] : [], [null]).forEach(function (statement) {
        if (statement && sent.ids.indexOf(statement.id) >= 0) return;
        var size = statement ? bytes(JSON.stringify(statement)) + 1 : 0;
        if (batch.length && (!statement || batch.length === 25 || size > budget)) {
          post(batch, true).catch(function () { /* stays queued */ });
          batch = [];
        }
        if (statement && size <= budget) {
          batch.push(statement);
          budget -= size;
        }
      });
    },
    pending: function () {
      return !idle();
    }
  };
}

// What the three adapters do alike. opts: {client, statements, cmi5 (cmi5 categories, masteryscore
// and rules), normal (false in cmi5 Browse/Review: only initialized and terminated), masteryScore
// (0–1 or null), reported ({completed, passed, failed, score}: what this registration already
// reported, from the saved state)}. What to report and when is the outcome policy's (lib/outcome.js):
// passed at once, failed held until the session ends, scores the best so far.
function xapiSession(opts) {
  var make = opts.statements;
  var client = opts.client;
  var startedAt = Date.now();
  var ended = false;
  var pending = null;
  var progress = 0;
  var scaled = function (score) { return Math.round(score * 100) / 10000; };
  var outcome = outcomeTracker({
    reported: opts.reported,
    holdFailed: true,
    passOnce: !!opts.cmi5,
    oneVerdictPerSession: !!opts.cmi5,
    passes: opts.masteryScore === null ? null : function (score) { return scaled(score) >= opts.masteryScore; }
  });

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
    if (pending && opts.normal) {
      client.send(make.experienced(pending.page, outcome.reported.completed ? null : progress, pending.at));
    }
    pending = null;
  }

  function report(events) {
    if (!opts.normal) return;
    events.forEach(function (event) {
      if (event.verb === "completed") {
        client.send(make.session("completed", { completion: true, duration: duration() }, more(true)));
        return;
      }
      var extensions = {};
      if (opts.masteryScore !== null) extensions[XAPI_CMI5 + "context/extensions/masteryscore"] = opts.masteryScore;
      var result = {
        success: event.verb === "passed", duration: duration(),
        score: { scaled: scaled(event.score), raw: Math.round(event.score), min: 0, max: 100 }
      };
      client.send(make.session(event.verb, result, more(true, extensions)));
    });
  }

  return {
    reported: outcome.reported,
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
    track: function (record) {
      if (opts.normal && record.xapi) client.send(make.track(record.xapi));
    },
    setResult: function (r) {
      flush(r.progress);
      if (opts.normal) report(outcome.update(r));
    },
    // The held verdict, then `beforeLast` (the adapter's last document), then terminated; on
    // "unload" by keepalive requests, else waiting (5 s at most) for the LRS.
    end: function (reason, beforeLast) {
      if (ended) return Promise.resolve();
      flush();
      ended = true;
      report(outcome.end());
      if (beforeLast) beforeLast();
      client.last(make.session("terminated", { duration: duration() }, more(false)));
      if (reason === "unload") return Promise.resolve(client.unload());
      return client.drain(5000).then(function () {
        if (client.pending()) client.unload();
      });
    }
  };
}

// The adapter members cmi5 and tincan share: bookmark, state and what was reported in the State
// document `ref.query`. On Exit the document is written once more after the session's last verdict,
// before terminated; on unload it is not (a keepalive PUT could arrive after terminated, which a
// cmi5 LMS refuses), so a failed verdict sent at unload is missing from `failed`/`score` (they
// only inform; nothing is sent again because of them).
function xapiAdapter(ref) {
  var last = null;

  function put(session) {
    ref.client.put("activities/state", ref.query, Object.assign({
      bookmark: last.bookmark,
      state: ref.state === undefined ? last.state : ref.state
    }, session.reported));
  }

  return {
    stateLimit: Infinity,
    pageViewed: function (page) {
      if (ref.session) ref.session.pageViewed(page);
    },
    answered: function (answer) {
      if (ref.session) ref.session.answered(answer);
    },
    track: function (record) {
      if (ref.session) ref.session.track(record);
    },
    setResult: function (result) {
      if (ref.session) ref.session.setResult(result);
    },
    save: function (snapshot) {
      if (!ref.session) return;
      ref.session.flush(snapshot.progress);
      last = snapshot;
      put(ref.session);
    },
    finish: function (reason) {
      var session = ref.session;
      ref.session = null;
      if (!session) return Promise.resolve();
      return session.end(reason, reason === "exit" && last ? function () { put(session); } : null);
    }
  };
}
