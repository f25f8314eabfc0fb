// long-fill-in: an open answer for a tutor or analyst, never scored (fill-in.js's text handling).
// Its rubric (q.rubric, shown with the question) goes with every answer: in the xAPI definition as
// the extension https://spotlight-pack.org/xapi/extensions/rubric (q.extensions, every course
// language: questions/long_fill_in.py), and as the SCORM 2004 interaction description
// (localized_string_type, at most 250 characters).

quizKinds["long-fill-in"] = (function () {
  var kind = textKind(4000);
  kind.describe = function (q) {
    if (!q.rubric) return null;
    var prefix = "{lang=" + quizLocale() + "}";
    var room = 250 - prefix.length;
    var text = q.rubric.replace(/^\{+/, "");  // a leading "{" would read as another delimiter
    return { scorm2004: prefix + (text.length > room ? text.slice(0, room - 1) + "\u2026" : text) };
  };
  return kind;
})();
