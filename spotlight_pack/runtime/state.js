// The learner's saved state as one short ASCII string:
//   2.<layout>.<visited>.<best>.<quiz>~<quiz>~…      (one <quiz> per entry of data.quizzes)
//   <quiz> = <seed:5><attempt:1><flags:1>,<right bits>,<checked bits>,<response>,<response>,…
// SCORM 1.2 keeps at most 4096 characters of suspend_data, so this is bitsets and base64url
// digits, not JSON. Responses are encoded by their question type (runtime/questions/*.js). See
// docs/runtime.md for the format and the order in which parts are dropped when it must shrink.

var STATE_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function stateEncodeBits(bits) {
  var out = "";
  for (var i = 0; i < bits.length; i += 6) {
    var value = 0;
    for (var j = 0; j < 6 && i + j < bits.length; j++) {
      if (bits[i + j]) value |= 1 << j;
    }
    out += STATE_DIGITS.charAt(value);
  }
  return out.replace(/A+$/, "");
}

function stateDecodeBits(text, length) {
  var bits = [];
  for (var i = 0; i < length; i++) {
    var value = STATE_DIGITS.indexOf(String(text || "").charAt(Math.floor(i / 6)));
    bits.push(value > 0 && (value & (1 << (i % 6))) !== 0);
  }
  return bits;
}

// A whole number 0 <= value < 64^width in exactly `width` digits (least significant first).
function stateEncodeNumber(value, width) {
  var out = "";
  for (var i = 0; i < width; i++) out += STATE_DIGITS.charAt(Math.floor(value / Math.pow(64, i)) % 64);
  return out;
}

function stateDecodeNumber(text) {
  var value = 0;
  for (var i = text.length - 1; i >= 0; i--) value = value * 64 + Math.max(STATE_DIGITS.indexOf(text.charAt(i)), 0);
  return value;
}

// Free text as base64url of its UTF-8 bytes (no separator of this format can appear in it).
function stateEncodeText(text) {
  var bytes = new TextEncoder().encode(text);
  var binary = "";
  for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function stateDecodeText(text) {
  try {
    var binary = window.atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    return null;
  }
}

// quiz: {seed, attempt, submitted, right, checked, responses (encoded strings), free}, or the value
// stateDecodeQuiz gave (bits still encoded, no `free`: passed through while no quiz page was shown);
// `drop`: "" keeps every response, "free" drops typed text, "all" drops every response.
function stateEncodeQuiz(quiz, drop) {
  if (!quiz.seed) return "";
  var head = stateEncodeNumber(quiz.seed, 5) + stateEncodeNumber(Math.min(quiz.attempt, 63), 1) +
    stateEncodeNumber(quiz.submitted ? 1 : 0, 1);
  var bits = function (value) { return typeof value === "string" ? value : stateEncodeBits(value); };
  var responses = quiz.responses.map(function (response, n) {
    return drop === "all" || (drop === "free" && quiz.free && quiz.free[n]) ? "" : response;
  });
  return [head, bits(quiz.right), bits(quiz.checked)].concat(responses).join(",").replace(/,+$/, "");
}

function stateDecodeQuiz(text) {
  if (!/^[A-Za-z0-9_-]{7}/.test(text)) return null;
  var fields = text.split(",");
  var head = fields[0];
  return {
    seed: stateDecodeNumber(head.slice(0, 5)),
    attempt: stateDecodeNumber(head.charAt(5)),
    submitted: (stateDecodeNumber(head.charAt(6)) & 1) === 1,
    right: fields[1] || "",
    checked: fields[2] || "",
    responses: fields.slice(3)
  };
}

// The longest string that fits `limit`: everything; else without the blocks' free text (reflections);
// else without typed text; else without any response (the right/wrong bits, seeds and attempt counts
// stay: the verdict and the draw are kept); else without visited marks too. state.blocks = {full,
// lean}: the page blocks' part with and without free text, a 6th part only when there is one.
function stateEncode(state, layout, limit) {
  var best = state.best === null ? "" : String(state.best);
  var visited = stateEncodeBits(state.visited);
  var blocks = state.blocks || { full: "", lean: "" };
  var quizzes = function (drop) {
    return state.quizzes.map(function (quiz) { return stateEncodeQuiz(quiz, drop); }).join("~").replace(/~+$/, "");
  };
  var candidates = [[visited, "", blocks.full], [visited, "", blocks.lean], [visited, "free", blocks.lean],
    [visited, "all", blocks.lean], ["", "all", blocks.lean]];
  for (var i = 0; i < candidates.length; i++) {
    var c = candidates[i];
    var text = ["2", layout, c[0], best, quizzes(c[1])].concat(c[2] ? [c[2]] : []).join(".");
    if (text.length <= limit) return text;
  }
  return "";
}

// null when there is nothing usable: empty, another format version, or another course layout.
function stateDecode(text, layout, pageCount) {
  var parts = String(text || "").split(".");
  if (parts.length < 5 || parts.length > 6 || parts[0] !== "2" || parts[1] !== layout) return null;
  var best = parts[3] === "" ? null : Math.min(100, Math.max(0, parseInt(parts[3], 10) || 0));
  var decoded = {
    visited: stateDecodeBits(parts[2], pageCount),
    best: best,
    quizzes: parts[4].split("~").map(stateDecodeQuiz)
  };
  if (parts.length > 5) decoded.blocks = parts[5];
  return decoded;
}
