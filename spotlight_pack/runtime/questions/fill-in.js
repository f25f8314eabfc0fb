// fill-in (and long-fill-in, which builds on it): typed text. A fill-in answer is right when it
// equals an accepted answer after the rules of questions/fill_in.py: spaces trimmed and collapsed,
// case and accents ignored unless the question says they matter. SCORM 1.2 keeps at most 255
// characters of a response; SCORM 2004 prefixes the language ({lang=es-MX}) and keeps 250.

function fillInNormalize(text, caseMatters, accentsMatter) {
  var value = text.trim().replace(/\s+/g, " ");
  if (!caseMatters) value = value.toLowerCase();
  if (!accentsMatter) value = value.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  return value.normalize("NFC");
}

// limit2004: the most characters SCORM 2004 takes for this type's learner_response.
function textKind(limit2004) {
  function field(el) {
    return el.querySelector(".text-answer");
  }

  function clean(text) {
    return text.replace(/\[,\]/g, ",");  // [,] separates responses in SCORM 2004 and xAPI
  }

  return {
    free: true,
    arrange: function () {
      // nothing to reorder
    },
    read: function (q, el) {
      var value = field(el).value.trim();
      return value ? value : null;
    },
    write: function (q, el, response) {
      field(el).value = response || "";
    },
    lock: function (q, el, locked) {
      field(el).readOnly = locked;  // still readable and focusable, unlike a disabled field
    },
    correct: function (q, key, response) {
      return key.answers.indexOf(fillInNormalize(response, key["case"], key.accents)) >= 0;
    },
    encode: function (q, response) {
      return stateEncodeText(response);
    },
    decode: function (q, text) {
      return stateDecodeText(text);
    },
    track: function (q, response) {
      var prefix = "{lang=" + quizLocale() + "}";
      return {
        scorm12: response.slice(0, 255),
        scorm2004: prefix + clean(response).slice(0, limit2004 - prefix.length),
        xapi: clean(response)
      };
    },
    components: function () {
      return {};
    },
    reveal: function (q, el, sealed, response, text) {
      var key = el.querySelector(".key");
      if (!key) return;
      key.textContent = sealed ? text("correctAnswer", { answer: sealed.key.show }) : "";
      key.hidden = !sealed;
    },
    problem: function () {
      return "";
    }
  };
}

quizKinds["fill-in"] = textKind(250);
