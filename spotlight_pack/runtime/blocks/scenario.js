// Branching scenarios (blocks/scenario.py): one scene at a time, the path kept in the saved state,
// a restart at any time. Tracking (docs/xapi-runtime.md, "Scenarios"): each choice as an xAPI
// `answered` on the scene (a cmi.interaction of type choice, the chosen choice in context "other");
// the ending as `completed` on the scenario (a simulation) with its outcome and path, and in SCORM as
// one interaction whose response is the path.

var SCENARIO_EXT = "https://spotlight-pack.org/xapi/extensions/";
var SCENARIO_RESULT = { good: ["correct", "correct"], acceptable: ["neutral", "neutral"], harmful: ["wrong", "incorrect"] };

function scenarioClock(date) {
  return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2) + ":" +
    ("0" + date.getSeconds()).slice(-2);
}

function scenarioSetup(el, api) {
  var scenes = {};
  Array.prototype.forEach.call(el.querySelectorAll(".scene"), function (scene) {
    scenes[scene.getAttribute("data-scene")] = scene;
  });
  var start = el.getAttribute("data-start");
  var title = el.getAttribute("data-title");
  var footer = el.querySelector(".scenario-footer");
  var pathList = el.querySelector(".scenario-path");
  var path = [start];
  var choices = []; // the index of each choice made, for the saved state
  var run = api.uuid();
  var ended = false;

  function lang(text) {
    var map = {};
    map[api.locale] = text;
    return map;
  }

  function buttons(scene) {
    return Array.prototype.slice.call(scene.querySelectorAll("button.choice"));
  }

  function show(focus) {
    var here = path[path.length - 1];
    Object.keys(scenes).forEach(function (id) { scenes[id].hidden = id !== here; });
    footer.hidden = path.length < 2;
    pathList.textContent = "";
    choices.forEach(function (index, step) {
      var item = document.createElement("li");
      item.textContent = buttons(scenes[path[step]])[index].textContent;
      pathList.appendChild(item);
    });
    if (focus) scenes[here].focus();
  }

  function choose(button) {
    var scene = button.closest(".scene");
    var from = scene.getAttribute("data-scene");
    var to = button.getAttribute("data-to");
    if (from !== path[path.length - 1] || !scenes[to]) return;
    var extensions = {};
    extensions[SCENARIO_EXT + "scenario-run"] = run;
    api.track({
      xapi: {
        verb: "http://adlnet.gov/expapi/verbs/answered",
        display: "answered",
        object: {
          objectType: "Activity",
          id: scene.getAttribute("data-iri"),
          definition: {
            type: "http://adlnet.gov/expapi/activities/cmi.interaction",
            name: lang(title + " – " + from),
            description: lang(scene.querySelector(".scene-text").textContent.trim().slice(0, 500)),
            interactionType: "choice",
            choices: buttons(scene).map(function (b) {
              return { id: b.getAttribute("data-choice"), description: lang(b.textContent) };
            })
          }
        },
        result: { response: button.getAttribute("data-choice") },
        parent: [el.getAttribute("data-iri")],
        context: {
          contextActivities: { other: [{ objectType: "Activity", id: scene.getAttribute("data-iri") + "/choice/" + button.getAttribute("data-choice") }] },
          extensions: extensions
        }
      }
    });
    choices.push(buttons(scene).indexOf(button));
    path.push(to);
    if (scenes[to].hasAttribute("data-outcome")) finish(scenes[to]);
    show(true);
    api.persist();
  }

  function finish(ending) {
    var outcome = ending.getAttribute("data-outcome");
    var now = new Date();
    var result = { completion: true, success: outcome !== "harmful", response: ending.getAttribute("data-scene"), extensions: {} };
    result.extensions[SCENARIO_EXT + "scenario-outcome"] = outcome;
    result.extensions[SCENARIO_EXT + "scenario-path"] = path.join("[,]");
    var extensions = {};
    extensions[SCENARIO_EXT + "scenario-run"] = run;
    var iri = el.getAttribute("data-iri");
    api.track({
      xapi: {
        verb: "http://adlnet.gov/expapi/verbs/completed",
        display: "completed",
        object: { objectType: "Activity", id: iri, definition: { type: "http://adlnet.gov/expapi/activities/simulation", name: lang(title) } },
        result: result,
        context: { contextActivities: { other: [{ objectType: "Activity", id: ending.getAttribute("data-iri") }] }, extensions: extensions },
        timestamp: now
      },
      interaction: {
        scorm12: [["id", "scenario-" + iri.split("/").slice(-2)[0]], ["type", "performance"],
          ["student_response", path.join(",").slice(0, 255)], ["result", SCENARIO_RESULT[outcome][0]], ["time", scenarioClock(now)]],
        scorm2004: [["id", iri], ["type", "sequencing"], ["description", (title + ": " + outcome).slice(0, 250)],
          ["learner_response", path.join("[,]")], ["result", SCENARIO_RESULT[outcome][1]],
          ["timestamp", now.toISOString().slice(0, 22) + "Z"]]
      }
    });
    if (!ended) {
      ended = true;
      api.done();
    }
  }

  el.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button") : null;
    if (!target) return;
    if (target.classList.contains("choice")) choose(target);
    else if (target.classList.contains("scenario-restart")) {
      path = [start];
      choices = [];
      run = api.uuid();
      show(true);
      api.persist();
    }
  });
  show(false);

  return {
    pending: function () {
      return el.hasAttribute("data-required") && !ended;
    },
    // "E" (an ending was reached) or "N", then one digit per choice made (at most 300 are kept).
    save: function () {
      return (ended ? "E" : "N") + choices.slice(0, 300).join("");
    },
    restore: function (text) {
      ended = text.charAt(0) === "E";
      path = [start];
      choices = [];
      text.slice(1).split("").every(function (digit) {
        var button = buttons(scenes[path[path.length - 1]])[parseInt(digit, 10)];
        if (!button) return false;
        choices.push(parseInt(digit, 10));
        path.push(button.getAttribute("data-to"));
        return true;
      });
      show(false);
    }
  };
}

blockKinds.scenario = { setup: scenarioSetup };
