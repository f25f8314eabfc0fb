// Preview without an LMS: nothing is reported; the bookmark and state stay in this browser's
// localStorage when it allows it (file:// pages and sandboxed frames may not), so a designer can
// resume a preview.

function createAdapter(ctx) {
  var key = "spotlight:" + ctx.data.iri + ":" + ctx.data.lang;

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function noop() {
    // no LMS to tell
  }

  return {
    stateLimit: Infinity,
    start: function () {
      var saved = null;
      try {
        saved = JSON.parse(storage().getItem(key));
      } catch (error) {
        saved = null;
      }
      return Promise.resolve({
        bookmark: saved ? String(saved.bookmark) : "",
        state: saved ? String(saved.state) : "",
        masteryScore: null
      });
    },
    pageViewed: noop,
    answered: noop,
    track: noop,
    setResult: noop,
    save: function (snapshot) {
      try {
        storage().setItem(key, JSON.stringify({ bookmark: snapshot.bookmark, state: snapshot.state }));
      } catch (error) {
        // no storage here: the preview simply starts over next time
      }
    },
    finish: function () {
      return Promise.resolve();
    }
  };
}
