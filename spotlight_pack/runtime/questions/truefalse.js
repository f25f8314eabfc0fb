// truefalse: the choice module with the two options true/false, never shuffled; SCORM 1.2 writes
// "t"/"f", SCORM 2004 and xAPI "true"/"false", and xAPI lists no components.

quizKinds.truefalse = Object.assign(choiceKind(), {
  track: function (q, response) {
    return { scorm12: response[0].charAt(0), scorm2004: response[0], xapi: response[0] };
  },
  components: function () {
    return {};
  }
});
