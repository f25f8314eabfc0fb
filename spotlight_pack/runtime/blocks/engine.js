// Page blocks in the player (docs/runtime.md, "Blocks"). Each kind's module registers itself:
//   blockKinds[name] = { setup: function (el, api) { return instance; } }
// for the elements rendered with data-block="<name>". An instance may have:
//   shown(), hidden()          its page was shown / left (a playing video pauses)
//   save(full) → string        its part of the saved state, [A-Za-z0-9_-] only; full=false: without
//                              free text (the state must shrink); restore(text) reads it back
//   saved(kept)                whether the last save kept its full text
//   pending() → bool           the page does not count as seen yet (a scenario that counts toward
//                              completion and has not reached an ending)
//   unload()                   the session ends
// api: track(record) reports to the adapter (record.xapi: a statement's verb, object, result,
// context; record.interaction: {scorm12, scorm2004} field lists), persist(), announce(message),
// done() (pending() turned false), uuid(), iri (of its page), locale. Nothing here knows a kind.

var blockKinds = {};

function blocksUuid() {
  var b = window.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  var hex = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
}

// env: {data, track(record), persist(), announce(message), done(pageId)}
function blocksEngine(env) {
  var data = env.data;
  var items = [];
  var pageOf = {};
  data.pages.forEach(function (page) { pageOf[page.id] = page; });

  function api(item) {
    var page = pageOf[item.page] || { iri: data.iri, module: "" };
    var module = data.modules.filter(function (m) { return m.id === page.module; })[0];
    return {
      iri: page.iri,
      locale: data.locale,
      uuid: blocksUuid,
      announce: env.announce,
      persist: env.persist,
      done: function () { env.done(item.page); },
      track: function (record) {
        if (record.xapi) {
          record.xapi.parent = record.xapi.parent || [page.iri];
          record.xapi.grouping = record.xapi.grouping || (module ? [module.iri] : []);
          record.xapi.timestamp = record.xapi.timestamp || new Date();
        }
        env.track(record);
      }
    };
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-block]"), function (el) {
    var kind = blockKinds[el.getAttribute("data-block")];
    var section = el.closest("section.page");
    if (!kind || !section) return;
    var item = { el: el, page: section.getAttribute("data-page") };
    item.instance = kind.setup(el, api(item)) || {};
    items.push(item);
  });

  function each(pageId, method) {
    items.forEach(function (item) {
      if ((pageId === null || item.page === pageId) && item.instance[method]) item.instance[method]();
    });
  }

  var stateful = items.filter(function (item) { return item.instance.save; });

  return {
    shown: function (pageId) { each(pageId, "shown"); },
    hidden: function (pageId) { each(pageId, "hidden"); },
    unload: function () { each(null, "unload"); },
    pending: function (pageId) {
      return items.some(function (item) { return item.page === pageId && item.instance.pending && item.instance.pending(); });
    },
    // The blocks' part of the saved state: one field per stateful block, in page order.
    snapshot: function (full) {
      return stateful.map(function (item) { return item.instance.save(full); }).join("~").replace(/~+$/, "");
    },
    restore: function (text) {
      var fields = String(text || "").split("~");
      stateful.forEach(function (item, i) { item.instance.restore(fields[i] || ""); });
    },
    saved: function (kept) {
      stateful.forEach(function (item) { if (item.instance.saved) item.instance.saved(kept); });
    }
  };
}
