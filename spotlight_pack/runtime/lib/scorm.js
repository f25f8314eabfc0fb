// What the SCORM 1.2 and SCORM 2004 adapters share: finding the LMS API object, calling it without
// ever throwing into the page, and the two standards' time formats.

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
