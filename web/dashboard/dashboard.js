// The page's wiring: the event stream (with replay, and reconnects), the frames, controls.
// A frame runs only when there is something to do (events to draw, a panel to update, the
// strip to renew, a click): an idle tab runs none, and the compositor scrolls the diagram.
(function () {
  'use strict';
  var MAX_EVENTS = 10000; // marbles kept; older ones are dropped
  var ROWS = 50;
  var INGEST_BUDGET_MS = 12; // per frame, so a burst never costs a frame more than this
  // While events keep coming, they are taken in and drawn in one frame per this gap (1 a
  // second), with the panels, the status numbers and the strip's position: each frame a tab
  // runs costs style, layout, paint and a software composite whatever it draws, so a stream
  // costs a tab one frame a second, not one per message or slide step. The first events after a
  // quiet gap are drawn at once; under a stream a marble appears at most this long after its
  // message came (the server's window adds at most 1 s more).
  var BUSY_GAP_MS = 1000;
  // A backlog the budget left (a machine too slow for the stream) is taken in this far apart.
  var BACKLOG_GAP_MS = 100;
  var PANEL_EVERY_MS = 250;
  // The rows change as a whole under a stream of events (100 rows, most of a frame's layout):
  // once a second is as fast as anyone reads them. A click or a filter shows them at once.
  var ROWS_EVERY_MS = 1000;
  // While a stream goes on (events frames one gap apart), the rows change as a whole at every
  // redraw, and their layout and paint were the costliest part of a busy tab: every 3 s.
  var ROWS_STREAMING_EVERY_MS = 3000;
  var ZOOMS = [2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

  var $ = function (id) { return document.getElementById(id); };
  var P = window.bdPanels;
  var token = new URLSearchParams(location.search).get('token') || '';

  var state = {
    run: null, lastSeq: -1, skew: 0, queue: [], qHead: 0, counts: {}, types: {},
    status: null, statusAt: 0, paused: false, zoom: 5, es: null, received: 0, dropped: 0,
    rowsDirty: true, countersDirty: true, histDirty: false, statusDirty: false, lastPanels: 0, lastRows: 0,
    filter: '', selectedSeq: -1, restarts: 0, frames: 0, statuses: 0, lastPanAt: -Infinity,
    inbox: [], inboxEvents: 0, hiddenStatus: null, frameAsked: false, panelTimer: null, eventsTimer: null,
    lastIngestAt: -Infinity, streaming: false, streamEndTimer: null, backlogFrames: 0, ageText: '',
  };

  var timeline = new window.bdTimeline.Timeline(
    { viewport: $('viewport'), canvas: $('scene'), now: $('now'), labels: $('labels'), mirror: $('marbles') },
    { maxEvents: MAX_EVENTS, onSelect: showDetail, wake: wake },
  );
  var histogram = new P.Histogram($('histogram'), $('lat-summary'));
  var rows = new P.Rows($('rows'), ROWS);
  timeline.setZoom(ZOOMS[state.zoom]);

  function now() { return Date.now() + state.skew; }

  function setConn(s, text) {
    var el = $('conn');
    el.dataset.state = s;
    el.textContent = text;
  }

  function banner(text, askForUrl) {
    $('banner').hidden = !text;
    $('banner-text').textContent = text || '';
    $('new-url').hidden = !askForUrl;
  }

  // ---- the stream -------------------------------------------------------------------------
  function connect() {
    if (state.es) state.es.close();
    setConn('connecting', 'connecting');
    var es = new EventSource('events?token=' + encodeURIComponent(token));
    state.es = es;
    es.addEventListener('hello', function (m) {
      var hello = JSON.parse(m.data);
      if (state.run !== null && hello.run !== state.run) {
        state.restarts++;
        banner('The daemon restarted (' + clockNow() + '): reconnected, history kept.', false);
        setTimeout(function () { if (!$('new-url').hidden) return; banner('', false); }, 5000);
      } else if (state.run !== null) {
        banner('', false);
      }
      // What the inbox holds is numbered in the old run: read it before the numbering restarts.
      if (hello.run !== state.run) { readInbox(Infinity); state.lastSeq = -1; }
      state.run = hello.run;
      state.skew = Date.parse(hello.server_time) - Date.now();
      onStatus(hello.status);
      setConn('live', 'live');
    });
    es.addEventListener('replay', onMessage);
    es.addEventListener('events', onMessage);
    es.addEventListener('status', function (m) {
      if (document.hidden) state.hiddenStatus = m.data;
      else onStatus(JSON.parse(m.data));
    });
    es.addEventListener('bye', function () { setConn('down', 'daemon stopped'); });
    es.onerror = function () {
      if (es !== state.es) return;
      if (es.readyState === EventSource.CLOSED) probe();
      else setConn('reconnecting', 'reconnecting…');
    };
  }

  // A message is only kept as it comes (its text, and its count read from its head): it is
  // parsed in the frame that draws it, so a stream of messages wakes the page once per frame,
  // not once per message. A hidden tab runs no frames: it keeps only as many of the newest as
  // the bounded history could show, and reads them when it is shown again.
  var HEAD = /^\{"from":(\d+),"n":(\d+)/;
  function onMessage(m) {
    var head = HEAD.exec(m.data.slice(0, 48));
    var n = head ? Number(head[2]) : 0;
    state.inbox.push({ data: m.data, n: n, at: performance.now() });
    state.inboxEvents += n;
    while (state.inbox.length > 1 && state.inboxEvents - state.inbox[0].n >= MAX_EVENTS) {
      state.inboxEvents -= state.inbox[0].n;
      state.dropped += state.inbox.shift().n;
    }
    eventsSoon();
  }

  /** Parses kept messages into the queue, until `budgetMs` has gone (Infinity: all of them). */
  function readInbox(budgetMs) {
    var start = performance.now(), i = 0, box = state.inbox;
    while (i < box.length && (i === 0 || performance.now() - start < budgetMs)) {
      state.inboxEvents -= box[i].n;
      if (!document.hidden) noteWait(start, start - box[i].at);
      onBatch(JSON.parse(box[i++].data));
    }
    state.inbox = i === box.length ? [] : box.slice(i);
  }

  // How long visible messages waited to be drawn (the newest 1,000): the bound the gap keeps.
  var waits = [];
  function noteWait(at, ms) {
    waits.push({ at: at, ms: ms });
    if (waits.length > 1000) waits.splice(0, waits.length - 1000);
  }

  function onShown() {
    if (state.hiddenStatus) { onStatus(JSON.parse(state.hiddenStatus)); state.hiddenStatus = null; }
    state.rowsDirty = state.countersDirty = true;
    timeline.invalidate();
  }

  document.addEventListener('visibilitychange', function () { if (!document.hidden) onShown(); });

  function onBatch(batch) {
    for (var i = 0; i < batch.events.length; i++) {
      var seq = batch.from + i;
      if (seq <= state.lastSeq) continue; // already shown before a reconnect
      state.lastSeq = seq;
      state.queue.push(batch.events[i]);
    }
    // More than the bounded history keeps (a tab shown after a long time hidden): the oldest go.
    var excess = state.queue.length - state.qHead - MAX_EVENTS;
    if (excess > 0) { state.qHead += excess; state.dropped += excess; }
  }

  // The stream was refused: a restarted daemon has a new token (403), or is not up yet.
  function probe() {
    setConn('reconnecting', 'reconnecting…');
    fetch('dashboard.css?token=' + encodeURIComponent(token), { cache: 'no-store' }).then(function (r) {
      if (r.status === 403) {
        setConn('down', 'token refused');
        banner('This daemon has a new token (it restarted). Run `bd-rx dashboard` and paste the URL:', true);
      } else connect();
    }, function () {
      setConn('down', 'daemon not answering');
      banner('The daemon is not answering on this port; retrying. If it restarted on another port, paste its URL:', true);
      setTimeout(probe, 1000);
    });
  }

  $('new-url').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var url;
    try { url = new URL($('new-url-input').value.trim()); } catch (e) { banner('That is not a URL: paste what `bd-rx dashboard` prints.', true); return; }
    if (url.origin !== location.origin) { location.href = url.href; return; }
    token = url.searchParams.get('token') || '';
    history.replaceState(null, '', url.pathname + url.search);
    banner('', false);
    connect();
  });

  function onStatus(status) {
    state.statuses++;
    state.status = status;
    state.statusAt = Date.now();
    state.statusDirty = true;
    panelsSoon();
    if (status && status.debounce_ms !== undefined) {
      timeline.settings = { debounceMs: status.debounce_ms, maxWaitMs: status.max_wait_ms };
    }
  }

  // ---- one event onto the page --------------------------------------------------------------
  function ingest(e) {
    if (e.type === 'daemon/started') {
      timeline.settings = { debounceMs: e.debounceMs, maxWaitMs: e.maxWaitMs };
      $('workspace').textContent = e.workspace + ' · pid ' + e.pid;
    }
    var rec = timeline.add(e);
    state.received++;
    state.counts[e.type] = (state.counts[e.type] || 0) + 1;
    if (!state.types[e.type]) {
      state.types[e.type] = true;
      var opt = document.createElement('option');
      opt.value = opt.textContent = e.type;
      $('type-filter').appendChild(opt);
    }
    if (e.type === 'export/done' && rec.served) {
      for (var i = 0; i < rec.served.length; i++) {
        if (rec.served[i].e.type === 'store/mutated') histogram.add(rec.t - rec.served[i].t);
      }
      state.histDirty = true;
    }
    state.rowsDirty = state.countersDirty = true;
  }

  // ---- frames -----------------------------------------------------------------------------
  /** Asks for one animation frame (none while hidden: onShown catches up). */
  function wake() {
    if (state.frameAsked || document.hidden) return;
    state.frameAsked = true;
    requestAnimationFrame(frame);
  }

  function frame() {
    state.frameAsked = false;
    if (document.hidden) return;
    var start = performance.now();
    if (state.inbox.length || state.qHead < state.queue.length) {
      // Every frame takes in what came (one frame drawing it all is cheaper than two), and the
      // next events frame is a gap from now.
      state.streaming = start - state.lastIngestAt < 2 * BUSY_GAP_MS;
      state.lastIngestAt = start;
      if (state.eventsTimer !== null) { clearTimeout(state.eventsTimer); state.eventsTimer = null; }
      readInbox(INGEST_BUDGET_MS);
      var q = state.queue;
      while (state.qHead < q.length && performance.now() - start < INGEST_BUDGET_MS) {
        for (var k = 0; k < 50 && state.qHead < q.length; k++) ingest(q[state.qHead++]);
      }
      if (state.qHead === q.length) { state.queue = []; state.qHead = 0; }
      else if (state.qHead > 10000) { state.queue = q.slice(state.qHead); state.qHead = 0; }
      // The rest of a burst the budget left: soon, not at every display refresh.
      if (state.inbox.length || state.qHead < state.queue.length) { state.backlogFrames++; eventsAfter(BACKLOG_GAP_MS); }
      // The frame after the stream: the slide, the rows and the panels resume their own pace.
      if (state.streamEndTimer !== null) clearTimeout(state.streamEndTimer);
      state.streamEndTimer = setTimeout(function () { state.streamEndTimer = null; wake(); }, 2 * BUSY_GAP_MS + 10);
    }
    timeline.frame(now(), streamingNow());
    state.frames++;
    panels(start);
  }

  /** Events keep coming: events frames one gap apart, the last less than two gaps ago. */
  function streamingNow() {
    return state.streaming && performance.now() - state.lastIngestAt < 2 * BUSY_GAP_MS;
  }

  // Events came: a frame now after a quiet gap, else one when the gap since the last is over.
  function eventsSoon() {
    if (document.hidden) return;
    var wait = state.lastIngestAt + BUSY_GAP_MS - performance.now();
    if (wait <= 0 && state.eventsTimer === null) wake();
    else eventsAfter(wait);
  }

  function eventsAfter(ms) {
    if (state.eventsTimer === null && !document.hidden) {
      state.eventsTimer = setTimeout(function () { state.eventsTimer = null; wake(); }, Math.max(0, ms));
    }
  }

  // New status numbers: a frame when the panels may redraw, else one when they may (statuses
  // that bunch up behind a slow daemon or network cost one frame, not one each plus the redraw).
  function panelsSoon() {
    if (state.eventsTimer !== null || streamingNow()) return; // the next events frame redraws them
    var wait = panelsDueAt() - performance.now();
    if (wait <= 0) wake();
    else wakeAfter(wait);
  }

  /** One frame `ms` from now for the panels (one timer at a time). */
  function wakeAfter(ms) {
    if (state.panelTimer === null) state.panelTimer = setTimeout(function () { state.panelTimer = null; wake(); }, ms);
  }

  /** When the side panels (status, histogram, counters) may redraw next. */
  function panelsDueAt() {
    return state.lastPanels + PANEL_EVERY_MS;
  }

  // The rows (their rebuild is the costliest thing the page draws) wait while the diagram is
  // being scrolled by hand: the frames of a wheel stay cheap, and the list does not jump under
  // the reader; it catches up a moment after.
  function rowsDueAt() {
    return Math.max(state.lastRows, state.lastPanAt) + (state.streaming ? ROWS_STREAMING_EVERY_MS : ROWS_EVERY_MS);
  }

  // The panels redraw a few times a second at most, however often events come.
  function panels(start) {
    var wait = Infinity;
    if (state.statusDirty || state.histDirty || state.countersDirty) wait = panelsDueAt() - start;
    if (state.rowsDirty) wait = Math.min(wait, rowsDueAt() - start);
    if (wait === Infinity) return;
    // Under a stream the panels wait for the next events frame (or the one after the stream).
    if (wait > 0 && streamingNow()) return;
    if (wait <= 0) {
      renderPanels(start);
      panels(start); // what was not due yet
    } else wakeAfter(wait);
  }

  // How old the status numbers are: written only when the text changes (it stays "0 s ago"
  // while the daemon sends them every second), so an idle tab does not repaint for it.
  setInterval(function () {
    if (!document.hidden) renderAge();
  }, 1000);

  function renderAge() {
    var text = state.statusAt ? Math.floor((Date.now() - state.statusAt) / 1000) + ' s ago' : '';
    if (text !== state.ageText) { state.ageText = text; $('status-age').textContent = text; }
  }

  function renderPanels(start) {
    if (start >= panelsDueAt()) renderSide(start);
    if (state.rowsDirty && start >= rowsDueAt()) {
      state.lastRows = start;
      var shown = rows.render(timeline.records, timeline.head, state.filter, state.selectedSeq);
      var count = 'newest ' + shown + (state.filter ? ' of type ' + state.filter : '');
      if ($('rows-count').textContent !== count) $('rows-count').textContent = count;
      state.rowsDirty = false;
    }
  }

  function renderSide(start) {
    state.lastPanels = start;
    if (state.statusDirty && state.status) {
      P.renderStatus($('status'), state.status);
      state.statusDirty = false;
    }
    renderAge();
    if (state.histDirty) { histogram.render(); state.histDirty = false; }
    if (state.countersDirty) {
      P.renderCounters($('counters'), state.counts, [
        ['in window', timeline.size(), 'total'], ['received', state.received, 'total'],
        ['waiting to draw', state.queue.length - state.qHead, 'total'], ['restarts seen', state.restarts, 'total'],
      ]);
      timeline.renderCounts();
      state.countersDirty = false;
    }
  }

  function showDetail(rec) {
    state.selectedSeq = rec ? rec.seq : -1;
    state.rowsDirty = true;
    state.lastRows = -Infinity; // at the next frame
    if (!rec) { $('detail').textContent = ''; return; }
    var note = '';
    if (rec.served) note = '\n\n// served ' + rec.served.length + ' trigger(s) seen here; window: ' + rec.windowKind;
    else if (rec.effect) note = '\n\n// served by ' + rec.effect.e.type + ' at ' + window.bdTimeline.clock(rec.effect.t, true);
    $('detail').textContent = JSON.stringify(rec.e, null, 2) + note;
    $('detail-hint').textContent = rec.e.type;
  }

  // ---- controls ---------------------------------------------------------------------------
  function setPaused(paused) {
    state.paused = paused;
    timeline.setFollow(!paused, now());
    $('pause').textContent = paused ? '▶ Resume' : '❚❚ Pause';
    $('pause').classList.toggle('on', paused);
    document.body.classList.toggle('paused', paused);
  }

  function zoom(by) {
    state.zoom = Math.max(0, Math.min(ZOOMS.length - 1, state.zoom + by));
    timeline.setZoom(ZOOMS[state.zoom]);
    var secs = timeline.width / ZOOMS[state.zoom];
    $('zoom').textContent = secs >= 60 ? Math.round(secs / 60) + ' min' : secs >= 1 ? Math.round(secs) + ' s' : Math.round(secs * 1000) + ' ms';
  }

  $('pause').addEventListener('click', function () { setPaused(!state.paused); });
  $('zoom-in').addEventListener('click', function () { zoom(1); });
  $('zoom-out').addEventListener('click', function () { zoom(-1); });
  $('type-filter').addEventListener('change', function (ev) { state.filter = ev.target.value; state.rowsDirty = true; state.lastRows = -Infinity; wake(); });
  document.addEventListener('visibilitychange', function () { if (document.hidden) timeline.stopRenewal(); });
  $('rows').addEventListener('click', function (ev) {
    var tr = ev.target.closest('tr[data-seq]');
    if (tr) timeline.select(timeline.bySeq.get(Number(tr.dataset.seq)) || null);
  });
  $('viewport').addEventListener('wheel', function (ev) {
    ev.preventDefault();
    state.lastPanAt = performance.now();
    if (!state.paused) setPaused(true);
    timeline.pan(-(Math.abs(ev.deltaX) > Math.abs(ev.deltaY) ? ev.deltaX : ev.deltaY));
  }, { passive: false });
  document.addEventListener('keydown', function (ev) {
    if (ev.target.tagName === 'INPUT' || ev.target.tagName === 'SELECT') return;
    if (ev.key === ' ') { ev.preventDefault(); setPaused(!state.paused); }
    else if (ev.key === '+' || ev.key === '=') zoom(1);
    else if (ev.key === '-') zoom(-1);
    else if (ev.key === 'Escape') timeline.select(null);
  });
  window.addEventListener('resize', function () { timeline.resize(); zoom(0); });

  function clockNow() { return window.bdTimeline.clock(Date.now(), false); }

  // Read-only hooks for scripts and tests (the DOM contract is the stable interface).
  window.bdDashboard = {
    drawn: function () { return timeline.size(); },
    waiting: function () { return state.queue.length - state.qHead + state.inboxEvents; },
    received: function () { return state.received; },
    frames: function () { return state.frames; },
    backlogFrames: function () { return state.backlogFrames; },
    // The longest a visible message waited to be drawn, of those drawn since `sincePageMs` (performance.now()).
    longestWait: function (sincePageMs) {
      var max = 0;
      for (var i = 0; i < waits.length; i++) if (waits[i].at >= sincePageMs && waits[i].ms > max) max = waits[i].ms;
      return max;
    },
    // Nothing left to draw: no frame asked for, no events or panel redraw waiting (the strip's renewal aside).
    settled: function () {
      return !state.frameAsked && state.panelTimer === null && state.eventsTimer === null && state.streamEndTimer === null && state.inbox.length === 0;
    },
    drawing: function () { return !document.hidden; },
    strips: function () { return timeline.strips; },
    statuses: function () { return state.statuses; },
    connection: function () { return $('conn').dataset.state; },
    where: function (seq) { return timeline.where(seq); },
  };

  zoom(0);
  connect();
  wake();
})();
