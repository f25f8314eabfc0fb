// Test LMS: puts scorm-again's SCORM 1.2 or 2004 API on this window, records every call the SCO
// makes (method, arguments, result, error code) and launches the SCO in an iframe.
// Query: ?standard=scorm12|scorm2004&sco=<launch URL>&init=<flattened CMI JSON to resume from>
//        &window=1 to open the SCO in a new window (found through window.opener) instead of the iframe
//        &unsupported=<element,…> to play an LMS without those elements (GetValue answers 401)
(function () {
  "use strict";
  var query = new URLSearchParams(window.location.search);
  var standard = query.get("standard");
  var init = JSON.parse(query.get("init") || "{}");
  var unsupported = (query.get("unsupported") || "").split(",");
  var scorm12 = standard === "scorm12";
  var api = scorm12 ? new window.Scorm12API({ autocommit: false }) : new window.Scorm2004API({ autocommit: false });
  var methods = scorm12
    ? ["LMSInitialize", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSFinish"]
    : ["Initialize", "GetValue", "SetValue", "Commit", "Terminate"];
  var getValue = methods[1];
  var lastError = scorm12 ? "LMSGetLastError" : "GetLastError";
  var originalLastError = api[lastError].bind(api);
  var forcedError = null;
  window.lmsCalls = [];
  api.loadFromFlattenedJSON(init);
  methods.forEach(function (method) {
    var original = api[method].bind(api);
    api[method] = function () {
      var args = Array.prototype.slice.call(arguments);
      forcedError = null;
      var result;
      if (method === getValue && unsupported.indexOf(args[0]) >= 0) {
        forcedError = "401";
        result = "";
      } else {
        result = original.apply(null, args);
      }
      window.lmsCalls.push({ method: method, args: args, result: String(result), error: String(api[lastError]()) });
      return result;
    };
  });
  api[lastError] = function () { return forcedError || originalLastError(); };
  if (scorm12) window.API = api;
  else window.API_1484_11 = api;
  if (query.get("window")) window.open(query.get("sco"), "sco");
  else document.getElementById("sco").src = query.get("sco");
})();
