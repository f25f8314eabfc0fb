// What the cmi5, Tin Can and SCORM 1.2 + xAPI adapters share: launch parameters, statement building
// (published ADL and cmi5 vocabulary), and an LRS client whose statements survive a lost network:
// every statement is queued in localStorage first, then sent in order, in batches, until the LRS
// has it. Ids are fixed when a statement is made, so a resend is stored once (docs/xapi-runtime.md).

var XAPI_VERBS = "http://adlnet.gov/expapi/verbs/";
var XAPI_TYPES = "http://adlnet.gov/expapi/activities/";
var XAPI_CMI5 = "https://w3id.org/xapi/cmi5/";
var XAPI_PROGRESS = XAPI_CMI5 + "result/extensions/progress";
var XAPI_BATCH = 25;
var XAPI_KEEPALIVE_BYTES = 60000;

function xapiUuid() {
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 15) | 64;
  bytes[8] = (bytes[8] & 63) | 128;
  var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" +
    hex.slice(20);
}

// A stable 53-bit hash (a number) for storage keys and derived ids.
function xapiHash(text, seed) {
  var h1 = 0xdeadbeef ^ (seed || 0);
  var h2 = 0x41c6ce57 ^ (seed || 0);
  for (var i = 0; i < text.length; i++) {
    var c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

// ISO 8601 duration, at most two decimals of a second (xAPI result.duration).
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

function xapiStorage(kind) {
  try {
    var store = window[kind];
    store.getItem("x");
    return store;
  } catch (error) {
    return null;
  }
}

// An Agent from a launch `actor`; also accepts Tin Can 0.9x launch actors (arrays, accountName).
function xapiAgent(value) {
  var actor = typeof value === "string" ? xapiJson(value) : value;
  if (!actor || typeof actor !== "object") return null;
  function first(item) { return Array.isArray(item) ? item[0] : item; }
  var agent = { objectType: "Agent" };
  if (actor.name) agent.name = String(first(actor.name));
  var account = first(actor.account);
  if (account && (account.name || account.accountName)) {
    agent.account = { homePage: account.homePage || account.accountServiceHomePage, name: account.name || account.accountName };
  } else if (actor.mbox) {
    var mbox = String(first(actor.mbox));
    agent.mbox = mbox.indexOf("mailto:") === 0 ? mbox : "mailto:" + mbox;
  } else if (actor.mbox_sha1sum) agent.mbox_sha1sum = String(first(actor.mbox_sha1sum));
  else if (actor.openid) agent.openid = String(first(actor.openid));
  else return null;
  return agent;
}

function xapiVerb(name) {
  return { id: XAPI_VERBS + name, display: { "en-US": name } };
}

function xapiLang(locale, text) {
  var map = {};
  map[locale] = text;
  return map;
}

function xapiActivity(id, type, locale, name, extra) {
  var definition = { type: type };
  if (name) definition.name = xapiLang(locale, name);
  Object.keys(extra || {}).forEach(function (key) { definition[key] = extra[key]; });
  return { objectType: "Activity", id: id, definition: definition };
}

function xapiRef(id) {
  return { objectType: "Activity", id: id };
}

// Copies `add` into `base` without overwriting anything `base` has: contextActivities lists are
// concatenated (the template's first), extensions and other members are only added.
function xapiMergeContext(base, add) {
  var context = JSON.parse(JSON.stringify(base || {}));
  Object.keys(add).forEach(function (key) {
    if (key === "contextActivities") {
      var activities = context.contextActivities = context.contextActivities || {};
      Object.keys(add.contextActivities).forEach(function (kind) {
        var list = activities[kind] ? [].concat(activities[kind]) : [];
        add.contextActivities[kind].forEach(function (item) {
          if (!list.some(function (have) { return have.id === item.id; })) list.push(item);
        });
        if (list.length) activities[kind] = list;
      });
    } else if (key === "extensions") {
      var extensions = context.extensions = context.extensions || {};
      Object.keys(add.extensions).forEach(function (name) {
        if (!(name in extensions)) extensions[name] = add.extensions[name];
      });
    } else if (!(key in context) && add[key] !== undefined && add[key] !== null) {
      context[key] = add[key];
    }
  });
  return context;
}

// Statements about the course, its pages and its questions. opts: {data, actor, registration,
// object (the activity the session statements are about), template (a context every statement
// starts from), grouping (extra grouping activity ids), platform}.
function xapiStatements(opts) {
  var data = opts.data;
  var locale = data.locale;
  var courseId = data.iri;
  var modules = {};
  var pages = {};
  data.modules.forEach(function (m) { modules[m.id] = m; });
  data.pages.forEach(function (p) { pages[p.id] = p; });

  // parent: the module or quiz; grouping: the course (and the module of a self-check), never the
  // statement's own object nor its parent.
  function context(objectId, parents, groups, more) {
    var add = { registration: opts.registration || null, language: locale, platform: opts.platform || null };
    var skip = [objectId].concat(parents);
    var grouping = [courseId].concat(groups, opts.grouping || []).filter(function (id) {
      return skip.indexOf(id) < 0;
    });
    add.contextActivities = { grouping: grouping.map(xapiRef) };
    if (parents.length) add.contextActivities.parent = parents.map(xapiRef);
    var merged = xapiMergeContext(opts.template, add);
    return more ? xapiMergeContext(merged, more) : merged;
  }

  function make(verb, object, result, ctx, when) {
    var statement = {
      id: xapiUuid(),
      actor: opts.actor,
      verb: xapiVerb(verb),
      object: object,
      context: ctx,
      timestamp: (when || new Date()).toISOString()
    };
    if (result) statement.result = result;
    return statement;
  }

  function pageType(page) {
    return page.kind === "page" ? XAPI_TYPES + "lesson" : XAPI_TYPES + "assessment";
  }

  return {
    // A statement about the session's own activity (initialized, completed, passed, …).
    session: function (verb, result, more) {
      return make(verb, opts.object, result, context(opts.object.id, [], [], more));
    },
    experienced: function (page, progress, when) {
      var result = { extensions: {} };
      result.extensions[XAPI_PROGRESS] = Math.round(progress * 100);
      var module = modules[page.module];
      var object = xapiActivity(page.iri, pageType(page), locale, page.title);
      return make("experienced", object, result, context(page.iri, module ? [module.iri] : [courseId], []), when);
    },
    answered: function (answer) {
      var question = answer.question;
      var quiz = pages[question.quiz];
      var module = quiz && modules[quiz.module];
      var truefalse = question.type === "truefalse";
      var extra = {
        description: xapiLang(locale, question.prompt),
        interactionType: truefalse ? "true-false" : "choice",
        correctResponsesPattern: [question.correct.join("[,]")]
      };
      if (!truefalse) {
        extra.choices = question.options.map(function (option) {
          return { id: option.id, description: xapiLang(locale, option.text) };
        });
      }
      var object = xapiActivity(question.iri, XAPI_TYPES + "cmi.interaction", locale, question.prompt, extra);
      var result = {
        response: answer.response.join("[,]"),
        success: answer.correct,
        duration: xapiDuration(answer.latencyMs)
      };
      return make("answered", object, result, context(question.iri, quiz ? [quiz.iri] : [courseId], module ? [module.iri] : []),
        answer.timestamp);
    }
  };
}

// The LRS client. opts: {endpoint (ends with /), auth (Authorization value), key (what the queue
// is stored under: actor + registration + course), log}. send(statement) queues and returns at
// once; statements are POSTed in order, in batches, retried with backoff and on the `online`
// event, and removed from the queue only once the LRS answered 200/204 (or 409: it has that id).
function xapiClient(opts) {
  var endpoint = opts.endpoint.replace(/\/?$/, "/");
  var storage = xapiStorage("localStorage");
  var queueKey = "spotlight:xapi:" + xapiHash(opts.key).toString(36);
  var queue = (storage && xapiJson(storage.getItem(queueKey))) || [];
  var documents = {}; // pending State/profile PUTs: path+query → body, last one wins
  var busy = false;
  var delay = 0;
  var timer = null;
  var idle = [];
  var closed = false;

  function remember() {
    if (!storage) return;
    try {
      if (queue.length) storage.setItem(queueKey, JSON.stringify(queue));
      else storage.removeItem(queueKey);
    } catch (error) {
      opts.log("xAPI: cannot keep unsent statements on this device", error);
    }
  }

  function headers(json) {
    var result = { "X-Experience-API-Version": "1.0.3" };
    if (opts.auth) result.Authorization = opts.auth;
    if (json) result["Content-Type"] = "application/json";
    return result;
  }

  function url(path, query) {
    var parts = Object.keys(query || {}).filter(function (name) {
      return query[name] !== undefined && query[name] !== null;
    }).map(function (name) {
      var value = typeof query[name] === "string" ? query[name] : JSON.stringify(query[name]);
      return encodeURIComponent(name) + "=" + encodeURIComponent(value);
    });
    return endpoint + path + (parts.length ? "?" + parts.join("&") : "");
  }

  function request(method, target, body, keepalive) {
    return window.fetch(target, {
      method: method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      keepalive: !!keepalive,
      credentials: "omit",
      cache: "no-store"
    });
  }

  function drop(ids) {
    queue = queue.filter(function (statement) { return ids.indexOf(statement.id) < 0; });
    remember();
  }

  // One step of the pump: the oldest batch of statements, else one pending document.
  function step() {
    if (queue.length) {
      var batch = queue.slice(0, XAPI_BATCH);
      var ids = batch.map(function (statement) { return statement.id; });
      return request("POST", url("statements"), batch).then(function (response) {
        if (response.ok || response.status === 409) return drop(ids);
        if (response.status === 400 && batch.length > 1) {
          return putEach(batch);
        }
        if (response.status === 400) {
          opts.log("xAPI: the LRS refused a statement; dropped", batch[0]);
          return drop(ids);
        }
        throw new Error("LRS answered " + response.status);
      });
    }
    var names = Object.keys(documents);
    var name = names[0];
    var body = documents[name];
    return request("PUT", name, body).then(function (response) {
      if (!response.ok && response.status !== 400 && response.status !== 403) {
        throw new Error("LRS answered " + response.status + " to a document PUT");
      }
      if (!response.ok) opts.log("xAPI: the LRS refused a document; dropped", response.status);
      if (documents[name] === body) delete documents[name];
    });
  }

  // A batch the LRS refused: send its statements one by one, so one bad statement cannot block the rest.
  function putEach(batch) {
    return batch.reduce(function (chain, statement) {
      return chain.then(function () {
        return request("PUT", url("statements", { statementId: statement.id }), statement).then(function (response) {
          if (response.status >= 500 || response.status === 401 || response.status === 429) {
            throw new Error("LRS answered " + response.status);
          }
          if (response.status === 400) opts.log("xAPI: the LRS refused a statement; dropped", statement);
          drop([statement.id]);
        });
      });
    }, Promise.resolve());
  }

  function settle() {
    if (queue.length || Object.keys(documents).length) return;
    var waiting = idle;
    idle = [];
    waiting.forEach(function (resolve) { resolve(); });
  }

  function pump() {
    if (busy || timer) return;
    if (!queue.length && !Object.keys(documents).length) return settle();
    busy = true;
    step().then(function () {
      busy = false;
      delay = 0;
      pump();
    }, function (error) {
      busy = false;
      delay = Math.min(delay ? delay * 2 : 1000, 60000);
      if (delay === 1000) opts.log("xAPI: LRS not reachable, keeping statements to send later", String(error));
      timer = window.setTimeout(function () {
        timer = null;
        pump();
      }, delay);
    });
  }

  function online() {
    if (timer) window.clearTimeout(timer);
    timer = null;
    delay = 0;
    pump();
  }
  window.addEventListener("online", online);

  return {
    send: function (statement) {
      if (closed) return;
      queue.push(statement);
      remember();
      pump();
    },
    // GET a document; resolves with its parsed JSON, or null (absent, unreadable, offline).
    getDocument: function (path, query) {
      return request("GET", url(path, query)).then(function (response) {
        if (response.status === 404) return null;
        if (!response.ok) throw new Error("LRS answered " + response.status);
        return response.text().then(xapiJson);
      }).catch(function (error) {
        opts.log("xAPI: cannot read " + path, String(error));
        return null;
      });
    },
    putDocument: function (path, query, value) {
      if (closed) return;
      documents[url(path, query)] = JSON.stringify(value);
      pump();
    },
    pending: function () {
      return queue.length;
    },
    // Resolves once everything queued was delivered, or after `ms` (the rest stays queued).
    drain: function (ms) {
      online();
      return new Promise(function (resolve) {
        idle.push(resolve);
        window.setTimeout(resolve, ms);
        settle();
      });
    },
    // The page is going away: send what is queued with keepalive requests (they outlive the page,
    // within the browser's 64 KB budget). Statements stay queued until an answer comes, so a
    // request lost with the page is sent again at the next launch (same ids: stored once).
    unload: function () {
      closed = true;
      var budget = XAPI_KEEPALIVE_BYTES;
      var batch = [];
      function post() {
        if (!batch.length) return;
        var ids = batch.map(function (statement) { return statement.id; });
        request("POST", url("statements"), batch, true).then(function (response) {
          if (response.ok || response.status === 409) drop(ids);
        }, function () { /* stays queued */ });
        batch = [];
      }
      queue.forEach(function (statement) {
        var length = JSON.stringify(statement).length + 1;
        if (length > budget) return;
        if (batch.length >= XAPI_BATCH) post();
        batch.push(statement);
        budget -= length;
      });
      post();
      Object.keys(documents).forEach(function (name) {
        if (documents[name].length > budget) return;
        budget -= documents[name].length;
        request("PUT", name, documents[name], true).catch(function () { /* lost with the page */ });
      });
    }
  };
}

// The tracking shared by the three adapters. opts: {ctx, client, statements (xapiStatements),
// cmi5 (add the cmi5 categories and masteryscore), normal (false in cmi5 Browse/Review: only
// initialized and terminated), masteryScore (0–1 or null), sent ({completed, passed} already
// sent in this registration)}.
function xapiSession(opts) {
  var make = opts.statements;
  var client = opts.client;
  var sent = opts.sent || { completed: false, passed: false };
  var startedAt = Date.now();
  var failed = false;
  var ended = false;
  var pendingPage = null;
  var progress = 0;

  function categories(moveOn, extensions) {
    if (!opts.cmi5) return null;
    var category = [xapiRef(XAPI_CMI5 + "context/categories/cmi5")];
    if (moveOn) category.push(xapiRef(XAPI_CMI5 + "context/categories/moveon"));
    return { contextActivities: { category: category }, extensions: extensions || {} };
  }

  function duration() {
    return xapiDuration(Date.now() - startedAt);
  }

  function flushPage(value) {
    if (typeof value === "number") progress = value;
    if (!pendingPage) return;
    if (opts.normal) client.send(make.experienced(pendingPage.page, progress, pendingPage.at));
    pendingPage = null;
  }

  function outcome(verb, success, scaled) {
    var result = { success: success, duration: duration() };
    if (scaled !== null) result.score = { scaled: scaled, raw: Math.round(scaled * 100), min: 0, max: 100 };
    var extensions = {};
    if (opts.masteryScore !== null && opts.masteryScore !== undefined) {
      extensions[XAPI_CMI5 + "context/extensions/masteryscore"] = opts.masteryScore;
    }
    client.send(make.session(verb, result, categories(true, extensions)));
  }

  return {
    sent: sent,
    begin: function () {
      client.send(make.session("initialized", null, categories(false)));
    },
    pageViewed: function (page) {
      flushPage();
      pendingPage = { page: page, at: new Date() };
    },
    answered: function (answer) {
      flushPage();
      if (opts.normal && !ended) client.send(make.answered(answer));
    },
    setResult: function (r) {
      flushPage(r.progress);
      if (!opts.normal || ended) return;
      if (r.completed && !sent.completed) {
        sent.completed = true;
        client.send(make.session("completed", { completion: true, duration: duration() }, categories(true)));
      }
      if (r.passed === null || r.scoreRaw === null || sent.passed) return;
      var scaled = Math.round(r.scoreRaw * 100) / 10000;
      var mastery = opts.masteryScore;
      var pass = mastery === null || mastery === undefined ? r.passed === true : scaled >= mastery;
      if (pass) {
        sent.passed = true;
        outcome("passed", true, scaled);
      } else if (!failed) {
        failed = true;
        outcome("failed", false, scaled);
      }
    },
    flush: flushPage,
    // Sends terminated; on "unload" hands the queue to keepalive requests, else waits (at most
    // a few seconds) for the LRS to have everything.
    end: function (reason) {
      if (ended) return Promise.resolve();
      flushPage();
      ended = true;
      client.send(make.session("terminated", { duration: duration() }, categories(false)));
      if (reason === "unload") {
        client.unload();
        return Promise.resolve();
      }
      return client.drain(5000).then(function () {
        if (client.pending()) client.unload();
      });
    }
  };
}
