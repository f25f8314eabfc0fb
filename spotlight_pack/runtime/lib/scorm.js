// What the SCORM 1.2 and SCORM 2004 adapters share: finding the LMS API object, calling it without
// ever throwing into the page, the adapter itself (scormAdapter, driven by a dialect that holds
// what differs between the standards) and the time formats.

// The LMS puts its API object on an ancestor frame, or on the window that opened ours. Frames of
// another origin throw on access: they cannot hold the API we may use anyway.
function scormFindApi(name) {
  function search(win) {
    for (var hops = 0; win && hops < 500; hops++) {
      try {
        if (win[name]) return win[name];
        if (win.parent === win) return null;
        win = win.parent;
      } catch (error) {
        return null;
      }
    }
    return null;
  }
  var found = search(window);
  if (!found) {
    try {
      found = window.opener ? search(window.opener) : null;
    } catch (error) {
      found = null;
    }
  }
  return found;
}

// calls: the standard's method names, e.g. {initialize: "LMSInitialize", …}. quietCodes: error
// codes that are an expected answer (e.g. "not initialized" for an element never written).
function scormClient(api, calls, log, quietCodes) {
  function call(method, args) {
    var value;
    try {
      value = api[calls[method]].apply(api, args);
    } catch (error) {
      log(calls[method] + " threw", error);
      return "";
    }
    var code = "0";
    try {
      code = String(api[calls.lastError]());
    } catch (error) {
      log(calls.lastError + " threw", error);
    }
    if (code !== "0" && quietCodes.indexOf(code) < 0) {
      var message = "";
      try {
        message = String(api[calls.errorString](code));
      } catch (error) {
        message = "";
      }
      log(calls[method] + "(" + args.join(", ") + ") failed: error " + code + " " + message);
    }
    return value === undefined || value === null ? "" : String(value);
  }
  return {
    initialize: function () { return call("initialize", [""]) === "true"; },
    get: function (element) { return call("get", [element]); },
    set: function (element, value) { return call("set", [element, String(value)]) === "true"; },
    commit: function () { return call("commit", [""]) === "true"; },
    terminate: function () { return call("terminate", [""]) === "true"; }
  };
}

function scormPad(value, width) {
  var digits = String(value);
  while (digits.length < width) digits = "0" + digits;
  return digits;
}

// SCORM 1.2 CMITimespan: HHHH:MM:SS.SS
function scormTimespan(ms) {
  var centiseconds = Math.min(Math.round(Math.max(ms, 0) / 10), 9999 * 360000 + 359999);
  var hours = Math.floor(centiseconds / 360000);
  var minutes = Math.floor(centiseconds / 6000) % 60;
  var seconds = (centiseconds % 6000) / 100;
  return scormPad(hours, 4) + ":" + scormPad(minutes, 2) + ":" + scormPad(seconds.toFixed(2), 5);
}

// SCORM 1.2 CMITime: the learner's local time of day, HH:MM:SS
function scormClock(date) {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map(function (part) {
    return scormPad(part, 2);
  }).join(":");
}

// SCORM 2004 timeinterval: ISO 8601 duration PT#H#M#S with at most two decimals
function scormDuration(ms) {
  var centiseconds = Math.round(Math.max(ms, 0) / 10);
  var hours = Math.floor(centiseconds / 360000);
  var minutes = Math.floor(centiseconds / 6000) % 60;
  var seconds = (centiseconds % 6000) / 100;
  return "PT" + hours + "H" + minutes + "M" + seconds + "S";
}

// SCORM 2004 time(second,10,0): UTC with two decimals of a second
function scormTimestamp(date) {
  return date.toISOString().slice(0, 22) + "Z";
}

// [field, value] pairs of cmi.interactions.n.correct_responses.m.pattern; none for null (a survey
// item or a response with no pattern in this standard).
function scormPatterns(patterns) {
  return (patterns || []).map(function (pattern, m) { return ["correct_responses." + m + ".pattern", pattern]; });
}

// The adapter interface of docs/runtime.md for either SCORM version. `dialect` says what differs:
//   api, calls, quietCodes, stateLimit   the API object's name, its method names, benign error codes
//   location, mode                      the bookmark and the launch mode elements
//   reported(client)                    what the LMS holds: {completed, passed, failed, score}
//   begin(client)                       on a normal launch: mark the attempt started
//   masteryScore(client)                the LMS's mastery score 0-100, or null
//   interaction(answer)                 [[field, value], …] for cmi.interactions.n.<field> (field may be a path)
//   report(client, event)               write one event of the outcome policy (lib/outcome.js)
//   progress(client, result)            optional: write the progress (after every result)
//   end(client, ending)                 before the session ends; ending = {done, reason, writable, ms}
// What is reported and when is lib/outcome.js's: data-model writes happen at once (SCORM has no
// one-verdict-per-session rule), a resumed course writes nothing until the learner acts, the score
// is the best so far and passed is never taken back.
// Besides the interface, `get(element)` reads the LMS and `reported` is what the LMS held at start
// (for adapters that build on this one).
function scormAdapter(ctx, dialect) {
  var client = null;
  var startedAt = Date.now();
  var writable = true;
  var fields = [];
  var count = 0;
  var done = false;
  var outcome = null;

  var adapter = {
    stateLimit: dialect.stateLimit,
    reported: null,

    get: function (element) {
      return client ? client.get(element) : "";
    },

    start: function () {
      var empty = { bookmark: "", state: "", masteryScore: null };
      var api = scormFindApi(dialect.api);
      if (!api) {
        ctx.log("no " + dialect.api + " object found: progress will not be saved");
        return Promise.resolve(empty);
      }
      client = scormClient(api, dialect.calls, ctx.log, dialect.quietCodes);
      if (!client.initialize()) {
        client = null;
        return Promise.resolve(empty);
      }
      var mode = client.get(dialect.mode);
      writable = mode !== "browse" && mode !== "review";
      adapter.reported = dialect.reported(client);
      outcome = outcomeTracker({ reported: adapter.reported });
      if (writable) dialect.begin(client);
      var children = client.get("cmi.interactions._children");
      fields = children ? children.split(",") : [];
      count = parseInt(client.get("cmi.interactions._count"), 10) || 0;
      return Promise.resolve({
        bookmark: client.get(dialect.location),
        state: client.get("cmi.suspend_data"),
        masteryScore: dialect.masteryScore(client)
      });
    },

    pageViewed: function () {
      // SCORM has no page-level record: the bookmark is written by save().
    },

    // One interaction per answered question of the assessment or of an in-page check (answer.page; a
    // module's self-check records nothing), with only the fields the LMS supports.
    answered: function (answer) {
      if (!client || !writable || !(answer.scored || answer.page) || fields.indexOf("id") < 0) return;
      var prefix = "cmi.interactions." + count + ".";
      dialect.interaction(answer).forEach(function (pair) {
        if (fields.indexOf(pair[0].split(".")[0]) < 0) return;
        client.set(prefix + pair[0], pair[1]);
      });
      count += 1;
    },

    // A block's record (a scenario's ending): the fields its module gives for this SCORM version.
    track: function (record) {
      var pairs = record.interaction && record.interaction[dialect.api === "API" ? "scorm12" : "scorm2004"];
      if (!client || !writable || !pairs || fields.indexOf("id") < 0) return;
      pairs.forEach(function (pair) {
        if (fields.indexOf(pair[0].split(".")[0]) >= 0) client.set("cmi.interactions." + count + "." + pair[0], pair[1]);
      });
      count += 1;
    },

    setResult: function (result) {
      done = result.completed && result.passed !== false;
      if (!client || !writable) return;
      if (dialect.progress) dialect.progress(client, result);
      outcome.update(result).forEach(function (event) { dialect.report(client, event); });
    },

    save: function (snapshot) {
      if (!client) return;
      client.set(dialect.location, snapshot.bookmark);
      if (writable) client.set("cmi.suspend_data", snapshot.state);
      client.commit();
    },

    finish: function (reason) {
      if (!client) return Promise.resolve();
      dialect.end(client, { done: done, reason: reason, writable: writable, ms: Date.now() - startedAt });
      client.commit();
      client.terminate();
      client = null;
      return Promise.resolve();
    }
  };
  return adapter;
}
