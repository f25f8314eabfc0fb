// The learner's saved state as one short ASCII string: 1.<layout>.<visited>.<best>.<answers>
// SCORM 1.2 keeps at most 4096 characters of suspend_data, so this is a bitset in base64url, not
// JSON. See docs/runtime.md for the format.

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
    var value = STATE_DIGITS.indexOf(text.charAt(Math.floor(i / 6)));
    bits.push(value > 0 && (value & (1 << (i % 6))) !== 0);
  }
  return bits;
}

// answers: [{mask, submitted}], mask = bit i set when option i is selected (at most 10 options).
function stateEncodeAnswers(answers) {
  return answers.map(function (answer) {
    var value = answer.mask | (answer.submitted ? 1024 : 0);
    return STATE_DIGITS.charAt(value & 63) + STATE_DIGITS.charAt(value >> 6);
  }).join("").replace(/(AA)+$/, "");
}

function stateDecodeAnswers(text, length) {
  var answers = [];
  for (var i = 0; i < length; i++) {
    var low = STATE_DIGITS.indexOf(text.charAt(2 * i));
    var high = STATE_DIGITS.indexOf(text.charAt(2 * i + 1));
    var value = Math.max(low, 0) | (Math.max(high, 0) << 6);
    answers.push({ mask: value & 1023, submitted: (value & 1024) !== 0 });
  }
  return answers;
}

// The longest string that fits `limit`: everything, else without the blocks' free text, else without
// answers, else without visited marks (the bookmark and the best score are kept elsewhere or here).
// state.blocks = {full, lean}: the blocks' part with and without free text (a 6th part, only when
// the course has stateful blocks).
function stateEncode(state, layout, limit) {
  var best = state.best === null ? "" : String(state.best);
  var visited = stateEncodeBits(state.visited);
  var blocks = state.blocks || { full: "", lean: "" };
  var join = function (parts) { return parts.join(".").replace(/\.$/, ""); };
  var answers = stateEncodeAnswers(state.answers);
  var candidates = [
    join(["1", layout, visited, best, answers, blocks.full]),
    join(["1", layout, visited, best, answers, blocks.lean]),
    join(["1", layout, visited, best, "", blocks.lean]),
    join(["1", layout, "", best, "", blocks.lean])
  ];
  for (var i = 0; i < candidates.length; i++) {
    if (candidates[i].length <= limit) return candidates[i];
  }
  return "";
}

// null when there is nothing usable: empty, another format version, or another course layout.
function stateDecode(text, layout, pageCount, questionCount) {
  var parts = String(text || "").split(".");
  if (parts.length < 5 || parts.length > 6 || parts[0] !== "1" || parts[1] !== layout) return null;
  var best = parts[3] === "" ? null : Math.min(100, Math.max(0, parseInt(parts[3], 10) || 0));
  var decoded = {
    visited: stateDecodeBits(parts[2], pageCount),
    best: best,
    answers: stateDecodeAnswers(parts[4], questionCount)
  };
  if (parts.length > 5) decoded.blocks = parts[5];
  return decoded;
}
