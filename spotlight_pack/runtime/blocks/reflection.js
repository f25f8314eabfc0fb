// Reflection blocks: free text kept in the saved state (stateEncodeText, dropped first when the
// state must shrink, and then the box says so), optionally sent to the LRS as an xAPI answer to a
// long-fill-in interaction (docs/xapi-runtime.md, "Reflections"). SCORM gets no record.

function reflectionSetup(el, api) {
  var box = el.querySelector("textarea");
  var status = el.querySelector(".reflection-status");
  var send = el.querySelector(".reflection-send");
  var max = parseInt(el.getAttribute("data-max"), 10);
  var kept = true;
  var timer = null;

  function describe() {
    var count = el.getAttribute("data-count").replace("{n}", box.value.length).replace("{max}", max);
    var saved = !box.value ? "" : " " + el.getAttribute(kept ? "data-saved" : "data-not-saved");
    status.textContent = count + "." + saved;
    status.classList.toggle("warning", !kept);
  }

  box.addEventListener("input", function () {
    describe();
    window.clearTimeout(timer);
    timer = window.setTimeout(api.persist, 1500);
  });
  box.addEventListener("change", function () {
    window.clearTimeout(timer);
    api.persist();
  });
  if (send) {
    send.addEventListener("click", function () {
      var text = box.value.trim();
      if (!text) {
        box.focus();
        return;
      }
      var name = {};
      name[api.locale] = el.getAttribute("data-prompt");
      api.track({
        xapi: {
          verb: "http://adlnet.gov/expapi/verbs/answered",
          display: "answered",
          object: {
            objectType: "Activity",
            id: el.getAttribute("data-iri"),
            definition: {
              type: "http://adlnet.gov/expapi/activities/cmi.interaction",
              name: name,
              description: name,
              interactionType: "long-fill-in"
            }
          },
          result: { response: text.slice(0, max) }
        }
      });
      api.announce(el.getAttribute("data-sent"));
      status.textContent = el.getAttribute("data-sent");
    });
  }
  describe();

  return {
    save: function (full) {
      return full && box.value ? stateEncodeText(box.value.slice(0, max)) : "";
    },
    restore: function (text) {
      if (text) box.value = stateDecodeText(text) || "";
      describe();
    },
    saved: function (full) {
      var was = kept;
      kept = full;
      describe();
      if (was && !kept && box.value) api.announce(el.getAttribute("data-not-saved"));
    }
  };
}

blockKinds.reflection = { setup: reflectionSetup };
