// Which lane an event is drawn in, which effect a trigger feeds, and how an effect finds the
// triggers it served. Derived from the event's type (`source/verb`), so a new kind of event
// gets a lane of its own without a change here.
(function () {
  'use strict';

  // Prefixes whose lane has another name than the prefix.
  var ALIASES = { store: 'mutation', sync: 'request', mode: 'poll', watcher: 'daemon' };
  var SOURCE_ORDER = ['daemon', 'fs', 'mutation', 'request', 'signal', 'poll', 'remote'];
  var EFFECT_ORDER = ['export', 'import', 'prepare'];
  // Lanes shown before their first event: what a person looks for first.
  var INITIAL = ['daemon', 'fs', 'mutation', 'signal', 'poll', 'export', 'import'];
  // Triggers by type: which effect each one asks for (sync/requested says so itself).
  var FEEDS = { 'store/mutated': 'export', 'fs/changed': 'import', 'remote/changed': 'import' };

  // Asked for every event: a type's lane is worked out once.
  var laneByType = new Map();
  function laneOf(type) {
    var lane = laneByType.get(type);
    if (lane === undefined) {
      var prefix = String(type).split('/')[0];
      lane = ALIASES[prefix] || prefix;
      laneByType.set(type, lane);
    }
    return lane;
  }

  // An effect reports how many triggers it served.
  function isEffect(event) {
    return typeof event.batched === 'number';
  }

  function feeds(event) {
    if (event.type === 'sync/requested') return event.kind;
    return FEEDS[event.type] || null;
  }

  // Sources (in SOURCE_ORDER, then new ones by name), then effects likewise.
  function laneRank(name, effect) {
    var order = effect ? EFFECT_ORDER : SOURCE_ORDER;
    var i = order.indexOf(name);
    return (effect ? 1000 : 0) + (i >= 0 ? i : 100);
  }

  function compareLanes(a, b) {
    var d = laneRank(a.name, a.effect) - laneRank(b.name, b.effect);
    return d !== 0 ? d : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  }

  // Why an effect ran when it did: the quiet period ended (debounce), or the longest wait
  // did (max-wait cut), or it was asked for (explicit).
  function windowKind(firstMs, lastMs, startMs, settings) {
    if (firstMs === null) return 'explicit';
    var maxWait = settings.maxWaitMs;
    var debounce = settings.debounceMs;
    if (maxWait && startMs - firstMs >= maxWait * 0.95 && startMs - lastMs < debounce * 0.9) return 'max-wait';
    return 'debounce';
  }

  // Log-spaced latency bins (ms): upper bounds, the last open.
  var LATENCY_BINS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, Infinity];

  function latencyBin(ms) {
    for (var i = 0; i < LATENCY_BINS.length; i++) if (ms < LATENCY_BINS[i]) return i;
    return LATENCY_BINS.length - 1;
  }

  window.bdLanes = {
    laneOf: laneOf,
    isEffect: isEffect,
    feeds: feeds,
    compareLanes: compareLanes,
    windowKind: windowKind,
    latencyBin: latencyBin,
    LATENCY_BINS: LATENCY_BINS,
    INITIAL: INITIAL,
    EFFECT_ORDER: EFFECT_ORDER,
  };
})();
