// Video and audio blocks: the transcript toggle, pausing when the page is left, and tracking with the
// xAPI Video Profile (https://w3id.org/xapi/video, v1.0.4): initialized, played, paused, seeked,
// completed, terminated, with time, progress, played-segments, length and session-id. SCORM gets no
// record: media counts only through its page (docs/xapi-runtime.md, "Video and audio").

var MEDIA_PROFILE = "https://w3id.org/xapi/video";
var MEDIA_EXT = MEDIA_PROFILE + "/extensions/";
var MEDIA_VERBS = {
  initialized: "http://adlnet.gov/expapi/verbs/initialized",
  played: MEDIA_PROFILE + "/verbs/played",
  paused: MEDIA_PROFILE + "/verbs/paused",
  seeked: MEDIA_PROFILE + "/verbs/seeked",
  completed: "http://adlnet.gov/expapi/verbs/completed",
  terminated: "http://adlnet.gov/expapi/verbs/terminated"
};

// Played at least once over this share of its length, the media counts as completed (the profile's
// completion-threshold; a last frame's rounding never keeps a learner who watched it all from it).
var MEDIA_THRESHOLD = 0.95;

function mediaRound(value) {
  return Math.round((value || 0) * 1000) / 1000;
}

function mediaSetup(el, api) {
  var player = el.querySelector("video, audio");
  var toggle = el.querySelector(".transcript-toggle");
  var transcript = el.querySelector(".transcript");
  var locale = api.locale;
  var session = null; // {id, segments: [[from, to]], start (segment under way), completed, begun}
  var lastTime = 0;
  var seekFrom = null;
  var seekTimer = null;

  function showTranscript(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.textContent = toggle.getAttribute(open ? "data-hide" : "data-show");
    transcript.hidden = !open;
  }
  showTranscript(false);
  toggle.addEventListener("click", function () { showTranscript(transcript.hidden); });

  function length() {
    return isFinite(player.duration) ? mediaRound(player.duration) : 0;
  }

  function segments() {
    var list = session.segments.slice();
    if (session.start !== null) list.push([session.start, player.currentTime]);
    return list;
  }

  // Share of the media played at least once: the union of the played segments over its length.
  function progress() {
    var total = length();
    if (!total) return 0;
    var sorted = segments().map(function (s) { return [Math.min(s[0], s[1]), Math.max(s[0], s[1])]; })
      .sort(function (a, b) { return a[0] - b[0]; });
    var covered = 0;
    var end = 0;
    sorted.forEach(function (s) {
      var from = Math.max(s[0], end);
      if (s[1] > from) covered += s[1] - from;
      end = Math.max(end, s[1]);
    });
    return Math.min(1, mediaRound(covered / total));
  }

  function played() {
    return segments().map(function (s) { return mediaRound(s[0]).toFixed(3) + "[.]" + mediaRound(s[1]).toFixed(3); })
      .join("[,]");
  }

  function send(verb, result, context) {
    var extensions = {};
    extensions[MEDIA_EXT + "session-id"] = session.id;
    extensions[MEDIA_EXT + "length"] = length();
    extensions[MEDIA_EXT + "completion-threshold"] = MEDIA_THRESHOLD;
    Object.keys(context || {}).forEach(function (key) { extensions[MEDIA_EXT + key] = context[key]; });
    var name = {};
    name[locale] = el.getAttribute("data-title");
    api.track({
      xapi: {
        verb: MEDIA_VERBS[verb],
        display: verb,
        object: {
          objectType: "Activity",
          id: el.getAttribute("data-iri"),
          definition: { type: el.getAttribute("data-type"), name: name }
        },
        result: result,
        context: { contextActivities: { category: [{ objectType: "Activity", id: MEDIA_PROFILE }] }, extensions: extensions }
      }
    });
  }

  function timeResult(time, more) {
    var result = { extensions: {} };
    result.extensions[MEDIA_EXT + "time"] = mediaRound(time);
    Object.keys(more || {}).forEach(function (key) { result.extensions[MEDIA_EXT + key] = more[key]; });
    return result;
  }

  function begin() {
    if (session) return;
    session = { id: api.uuid(), segments: [], start: null, completed: false };
    var track = player.textTracks && player.textTracks[0];
    var context = { "user-agent": window.navigator.userAgent };
    if (el.hasAttribute("data-cc-lang")) {
      context["cc-subtitle-enabled"] = !!track && track.mode === "showing";
      context["cc-subtitle-lang"] = el.getAttribute("data-cc-lang");
    }
    send("initialized", null, context);
  }

  function closeSegment(at) {
    if (session && session.start !== null) {
      session.segments.push([session.start, at]);
      session.start = null;
    }
  }

  function complete() {
    if (!session || session.completed || progress() < MEDIA_THRESHOLD) return;
    session.completed = true;
    var watched = segments().reduce(function (sum, s) { return sum + Math.abs(s[1] - s[0]); }, 0);
    var result = timeResult(player.currentTime, { progress: progress(), "played-segments": played() });
    result.completion = true;
    result.duration = "PT" + mediaRound(watched) + "S";
    send("completed", result);
  }

  player.addEventListener("play", function () {
    begin();
    session.start = player.currentTime;
    send("played", timeResult(player.currentTime));
  });
  player.addEventListener("pause", function () {
    if (!session || player.ended) return;
    closeSegment(player.currentTime);
    send("paused", timeResult(player.currentTime, { progress: progress(), "played-segments": played() }));
  });
  player.addEventListener("timeupdate", function () {
    if (!player.seeking) lastTime = player.currentTime;
    complete();
  });
  // A drag along the timeline fires many seeks: one statement, from where it started to where it ended.
  player.addEventListener("seeking", function () {
    if (seekFrom === null) seekFrom = lastTime;
    closeSegment(lastTime);
  });
  player.addEventListener("seeked", function () {
    lastTime = player.currentTime;
    if (session && !player.paused && session.start === null) session.start = player.currentTime;
    window.clearTimeout(seekTimer);
    seekTimer = window.setTimeout(function () {
      var from = seekFrom;
      seekFrom = null;
      if (!session || from === null) return;
      var result = { extensions: {} };
      result.extensions[MEDIA_EXT + "time-from"] = mediaRound(from);
      result.extensions[MEDIA_EXT + "time-to"] = mediaRound(player.currentTime);
      send("seeked", result);
    }, 400);
  });
  player.addEventListener("ended", function () {
    closeSegment(player.currentTime);
    complete();
  });

  return {
    hidden: function () {
      if (!player.paused) player.pause();
    },
    unload: function () {
      if (!session) return;
      closeSegment(player.currentTime);
      complete();
      send("terminated", timeResult(player.currentTime, { progress: progress(), "played-segments": played() }));
      session = null;
    }
  };
}

blockKinds.video = { setup: mediaSetup };
blockKinds.audio = { setup: mediaSetup };
