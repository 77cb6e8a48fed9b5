// The marble diagram: one lane per source and per effect kind on a scrolling time axis, drawn
// on one canvas each frame from the records in view (marbles at the same pixel are drawn once),
// so a frame's cost is bounded by the canvas's width, not by the number of events. Beside it,
// hidden, the DOM contract (README): an element per lane and per marble, kept in step.
(function () {
  'use strict';
  var L = window.bdLanes;

  var AXIS_H = 26;
  var ROW_H = 34;
  var EFFECT_ROW_H = 46;
  var STACK_GAP_PX = 7; // marbles closer than this stack up instead of hiding each other
  var STACK_LEVELS = 4;
  var R = 5; // marble radius
  var RIGHT_MARGIN = 0.9; // "now" sits at 90 % of the width while following
  var MAX_LINKS_PER_EFFECT = 40;
  var REDRAW_EVERY_MS = 33;
  var TICK_STEPS_S = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];
  var FONT = '11px ui-monospace, SFMono-Regular, Menlo, monospace';

  var COLOURS = {
    daemon: '#90a4ae', fs: '#4fc3f7', mutation: '#b388ff', request: '#ffd54f', signal: '#ff8a65',
    poll: '#4db6ac', remote: '#81c784', export: '#66bb6a', import: '#29b6f6', prepare: '#ffb74d',
  };
  var BAD = '#ef5350';

  function colourOf(name) {
    if (COLOURS[name]) return COLOURS[name];
    var h = 0;
    for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 360;
    return 'hsl(' + h + ', 70%, 65%)';
  }

  function variantOf(type) {
    var verb = String(type).split('/')[1] || '';
    if (verb === 'failed') return 'failed';
    if (verb === 'skipped' || verb === 'ignored') return 'skipped';
    if (verb === 'started' || verb === 'stopped' || verb === 'stopping') return 'life';
    return 'plain';
  }

  function Timeline(el, opts) {
    this.viewport = el.viewport;
    this.canvas = el.canvas;
    this.labels = el.labels;
    this.mirror = el.mirror;
    this.maxEvents = opts.maxEvents;
    this.onSelect = opts.onSelect;
    this.settings = { debounceMs: 0, maxWaitMs: 0 };
    this.pxPerSec = 100;
    this.t0 = null;
    this.lanes = new Map();
    this.laneList = [];
    this.records = [];
    this.head = 0; // records before head have been dropped
    this.bySeq = new Map();
    this.pending = {}; // effect kind → triggers not yet served
    this.follow = true;
    this.viewEnd = 0;
    this.offset = 0;
    this.width = 0;
    this.height = 0;
    this.selected = null;
    this.dirty = true;
    this.drawnAt = 0;
    this.nextSeq = 0;
    var self = this;
    L.INITIAL.forEach(function (name) { self.lane(name, L.EFFECT_ORDER.indexOf(name) >= 0); });
    this.viewport.addEventListener('click', function (ev) {
      var r = self.canvas.getBoundingClientRect();
      self.select(self.hit(ev.clientX - r.left, ev.clientY - r.top));
    });
    this.viewport.addEventListener('mousemove', function (ev) {
      var r = self.canvas.getBoundingClientRect();
      self.viewport.classList.toggle('over', self.hit(ev.clientX - r.left, ev.clientY - r.top) !== null);
    });
    this.resize();
  }

  Timeline.prototype.px = function (ms) {
    return ((ms - this.t0) * this.pxPerSec) / 1000;
  };

  Timeline.prototype.lane = function (name, effect) {
    var lane = this.lanes.get(name);
    if (lane) return lane;
    var row = document.createElement('div');
    row.dataset.lane = name;
    var label = document.createElement('div');
    label.className = 'lane-label' + (effect ? ' effect' : '');
    label.dataset.laneLabel = name;
    label.style.setProperty('--c', colourOf(name));
    label.innerHTML = '<span class="dot"></span><span class="name"></span><span class="count">0</span>';
    label.querySelector('.name').textContent = name;
    lane = { name: name, effect: effect, colour: colourOf(name), row: row, label: label, countEl: label.querySelector('.count'),
      count: 0, top: 0, h: effect ? EFFECT_ROW_H : ROW_H, lastX: -1e9, level: 0 };
    this.lanes.set(name, lane);
    this.laneList.push(lane);
    this.laneList.sort(L.compareLanes);
    var next = this.laneList[this.laneList.indexOf(lane) + 1];
    this.mirror.insertBefore(row, next ? next.row : null);
    this.labels.insertBefore(label, next ? next.label : null);
    this.layoutLanes();
    return lane;
  };

  Timeline.prototype.layoutLanes = function () {
    var top = 0;
    for (var i = 0; i < this.laneList.length; i++) {
      var lane = this.laneList[i];
      lane.top = top;
      lane.label.style.height = lane.h + 'px';
      top += lane.h;
    }
    this.viewport.style.height = AXIS_H + top + 'px';
    this.resize();
  };

  Timeline.prototype.resize = function () {
    this.width = this.viewport.clientWidth;
    this.height = this.viewport.clientHeight;
    var dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(this.width * dpr));
    this.canvas.height = Math.max(1, Math.round(this.height * dpr));
    this.canvas.style.width = this.width + 'px';
    this.canvas.style.height = this.height + 'px';
    this.canvas.getContext('2d').setTransform(dpr, 0, 0, dpr, 0, 0);
    this.dirty = true;
  };

  /** Adds one event; returns its record. */
  Timeline.prototype.add = function (e) {
    var t = Date.parse(e.ts);
    if (this.t0 === null) this.t0 = t;
    var effect = L.isEffect(e);
    var lane = this.lane(L.laneOf(e.type), effect);
    var rec = { seq: this.nextSeq++, e: e, t: t, lane: lane, variant: variantOf(e.type), el: null,
      served: null, effect: null, level: 0, x: 0, x1: 0, wx: 0 };
    if (effect) {
      this.link(rec);
    } else {
      var kind = L.feeds(e);
      if (kind) (this.pending[kind] || (this.pending[kind] = [])).push(rec);
    }
    var el = document.createElement('i');
    el.setAttribute('data-event-type', e.type);
    el.setAttribute('data-seq', rec.seq);
    if (effect) el.setAttribute('data-batched', e.batched);
    lane.row.appendChild(el);
    rec.el = el;
    this.place(rec);
    lane.count++;
    lane.countDirty = true;
    this.records.push(rec);
    this.bySeq.set(rec.seq, rec);
    while (this.records.length - this.head > this.maxEvents) this.drop();
    this.dirty = true;
    return rec;
  };

  // The triggers an effect served: the last `batched` of its kind that came before it started.
  Timeline.prototype.link = function (rec) {
    var e = rec.e;
    var start = rec.t - (e.ms || 0);
    rec.start = start;
    var pending = this.pending[rec.lane.name] || [];
    var cut = 0;
    while (cut < pending.length && pending[cut].t <= start + 1) cut++;
    var served = pending.slice(Math.max(0, cut - e.batched), cut);
    this.pending[rec.lane.name] = pending.slice(cut);
    rec.served = served;
    for (var i = 0; i < served.length; i++) served[i].effect = rec;
    var first = served.length ? served[0].t : null;
    var last = served.length ? served[served.length - 1].t : null;
    rec.windowKind = L.windowKind(first, last, start, this.settings);
  };

  // World x (px from t0 at this zoom), fixed until the zoom changes; stacking for near neighbours.
  Timeline.prototype.place = function (rec) {
    if (rec.served !== null) {
      rec.x = this.px(rec.start);
      rec.x1 = Math.max(rec.x + 4, this.px(rec.t));
      rec.wx = rec.served.length ? this.px(rec.served[0].t) : rec.x;
      return;
    }
    var lane = rec.lane;
    var x = this.px(rec.t);
    lane.level = x - lane.lastX < STACK_GAP_PX ? (lane.level + 1) % STACK_LEVELS : 0;
    if (lane.level === 0) lane.lastX = x;
    rec.level = lane.level;
    rec.x = rec.x1 = rec.wx = x;
  };

  Timeline.prototype.drop = function () {
    var rec = this.records[this.head];
    this.records[this.head++] = undefined;
    rec.el.remove();
    this.bySeq.delete(rec.seq);
    if (rec === this.selected) this.selected = null;
    if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  };

  Timeline.prototype.size = function () {
    return this.records.length - this.head;
  };

  Timeline.prototype.setZoom = function (pxPerSec) {
    this.pxPerSec = pxPerSec;
    if (this.t0 === null) return;
    this.lanes.forEach(function (lane) { lane.lastX = -1e9; lane.level = 0; });
    for (var i = this.head; i < this.records.length; i++) this.place(this.records[i]);
    this.dirty = true;
  };

  Timeline.prototype.setFollow = function (follow, nowMs) {
    this.follow = follow;
    if (!follow) this.viewEnd = nowMs;
    this.dirty = true;
  };

  /** Scrolls back (positive) or forward while paused. */
  Timeline.prototype.pan = function (dxPx) {
    this.viewEnd -= (dxPx * 1000) / this.pxPerSec;
    this.dirty = true;
  };

  Timeline.prototype.frame = function (nowMs) {
    if (this.follow) this.viewEnd = nowMs;
    if (this.t0 === null) this.t0 = nowMs;
    this.lanes.forEach(function (lane) {
      if (lane.countDirty) { lane.countEl.textContent = lane.count; lane.countDirty = false; }
    });
    var offset = this.px(this.viewEnd) - this.width * RIGHT_MARGIN;
    // At most 30 redraws a second, new events or not: smooth enough for a scrolling diagram,
    // and half of what every frame would cost the machine (the daemon may share its cores).
    // Nothing visibly moved: no redraw at all.
    if (nowMs - this.drawnAt < REDRAW_EVERY_MS) return;
    if (!this.dirty && Math.abs(offset - this.offset) < 0.5) return;
    this.offset = offset;
    this.dirty = false;
    this.drawnAt = nowMs;
    this.draw(nowMs);
  };

  // The first record whose x1 may reach `x` (records arrive in time order; bars start up to
  // their duration earlier, so look a screen further back).
  Timeline.prototype.firstFrom = function (x) {
    var lo = this.head, hi = this.records.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (this.records[mid].x < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  Timeline.prototype.draw = function (nowMs) {
    var ctx = this.canvas.getContext('2d');
    var w = this.width, h = this.height, off = this.offset;
    ctx.clearRect(0, 0, w, h);
    this.drawGrid(ctx, nowMs);
    var from = this.firstFrom(off - w), to = this.records.length;
    var i, rec, lane;
    // Windows, bars, then links over them, then point marbles on top.
    for (i = from; i < to; i++) {
      rec = this.records[i];
      if (rec.served === null || rec.x1 < off || rec.wx > off + w) continue;
      this.drawEffect(ctx, rec);
    }
    for (i = from; i < to; i++) {
      rec = this.records[i];
      if (rec.served === null || rec.x1 < off - w || rec.x > off + w + w) continue;
      this.drawFan(ctx, rec, rec === this.selected || (this.selected !== null && this.selected.effect === rec));
    }
    var paths = {};
    var drawn = new Set(); // lane, pixel and stack level already drawn this frame
    for (i = this.firstFrom(off - 2 * R); i < to; i++) {
      rec = this.records[i];
      if (rec.served !== null) continue;
      if (rec.x > off + w + R) break;
      lane = rec.lane;
      var sx = Math.round(rec.x - off), sy = AXIS_H + lane.top + 12 + rec.level * 5;
      var key = (lane.top * 100000 + sx) * 8 + rec.level;
      if (drawn.has(key)) continue;
      drawn.add(key);
      var pk = lane.name + '|' + rec.variant;
      var p = paths[pk] || (paths[pk] = { lane: lane, variant: rec.variant, path: new Path2D() });
      if (rec.variant === 'life') p.path.rect(sx - 2, AXIS_H + lane.top + 4, 4, lane.h - 8);
      else { p.path.moveTo(sx + R, sy); p.path.arc(sx, sy, R, 0, Math.PI * 2); }
    }
    for (var k in paths) {
      p = paths[k];
      if (p.variant === 'skipped') { ctx.strokeStyle = p.lane.colour; ctx.lineWidth = 2; ctx.stroke(p.path); }
      else { ctx.fillStyle = p.variant === 'failed' ? BAD : p.lane.colour; ctx.fill(p.path); }
    }
    this.drawSelection(ctx);
  };

  Timeline.prototype.drawGrid = function (ctx, nowMs) {
    var w = this.width, h = this.height;
    for (var j = 0; j < this.laneList.length; j++) {
      var lane = this.laneList[j];
      if (lane.effect) { ctx.fillStyle = 'rgba(255,255,255,0.018)'; ctx.fillRect(0, AXIS_H + lane.top, w, lane.h); }
      ctx.fillStyle = 'rgba(255,255,255,0.05)';
      ctx.fillRect(0, AXIS_H + lane.top + lane.h - 1, w, 1);
    }
    var step = TICK_STEPS_S[TICK_STEPS_S.length - 1];
    for (var i = 0; i < TICK_STEPS_S.length; i++) {
      if (TICK_STEPS_S[i] * this.pxPerSec >= 90) { step = TICK_STEPS_S[i]; break; }
    }
    var stepMs = step * 1000;
    var leftMs = this.t0 + (this.offset * 1000) / this.pxPerSec;
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    for (var t = Math.ceil(leftMs / stepMs) * stepMs; t < leftMs + (w * 1000) / this.pxPerSec; t += stepMs) {
      var x = Math.round(this.px(t) - this.offset) + 0.5;
      ctx.fillStyle = 'rgba(255,255,255,0.06)';
      ctx.fillRect(x, AXIS_H, 1, h - AXIS_H);
      ctx.fillStyle = 'rgba(200,210,230,0.55)';
      ctx.fillText(clock(t, step < 1), x + 4, AXIS_H / 2);
    }
    ctx.fillStyle = 'rgba(255,255,255,0.12)';
    ctx.fillRect(0, AXIS_H - 1, w, 1);
    var nowX = this.px(nowMs) - this.offset;
    if (nowX >= 0 && nowX <= w) {
      ctx.fillStyle = this.follow ? 'rgba(102,187,106,0.7)' : 'rgba(255,213,79,0.7)';
      ctx.fillRect(Math.round(nowX), 0, 2, h);
    }
  };

  // The gathering window (first trigger → start: debounce, or cut by max wait), then the bar.
  Timeline.prototype.drawEffect = function (ctx, rec) {
    var lane = rec.lane, off = this.offset, top = AXIS_H + lane.top;
    var x = rec.x - off, x1 = rec.x1 - off, wx = rec.wx - off;
    if (wx < x - 1) {
      var maxWait = rec.windowKind === 'max-wait';
      ctx.fillStyle = maxWait ? 'rgba(255,138,101,0.16)' : 'rgba(124,156,255,0.13)';
      ctx.fillRect(wx, top + 8, x - wx, lane.h - 16);
      ctx.fillStyle = maxWait ? '#ff8a65' : 'rgba(124,156,255,0.8)';
      ctx.fillRect(x - 2, top + 8, 2, lane.h - 16);
      if (maxWait && x - wx > 60) { ctx.font = '9px ui-monospace, monospace'; ctx.textBaseline = 'top'; ctx.fillText('max wait', x - 54, top + 9); }
    }
    var skipped = rec.variant === 'skipped';
    var colour = rec.variant === 'failed' ? BAD : lane.colour;
    if (skipped) { ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.strokeRect(x + 1, top + 17, x1 - x - 2, lane.h - 34); }
    else { ctx.fillStyle = colour; ctx.fillRect(x, top + 12, x1 - x, lane.h - 24); }
    if (rec.e.batched > 1) {
      ctx.fillStyle = colour;
      ctx.font = 'bold ' + FONT;
      ctx.textBaseline = 'middle';
      ctx.fillText('×' + rec.e.batched, x1 + 4, top + lane.h / 2);
    }
  };

  // Each effect is joined to the triggers it served: the fan shows the batch.
  Timeline.prototype.drawFan = function (ctx, fx, chosen) {
    var served = fx.served, n = served.length;
    if (!n) return;
    var every = Math.max(1, Math.ceil(n / (chosen ? 400 : MAX_LINKS_PER_EFFECT)));
    var ex = fx.x - this.offset, ey = AXIS_H + fx.lane.top + fx.lane.h / 2;
    ctx.strokeStyle = chosen ? 'rgba(255,255,255,0.85)' : 'rgba(180,200,255,0.2)';
    ctx.lineWidth = chosen ? 1.2 : 1;
    ctx.beginPath();
    for (var j = 0; j < n; j += every) this.curve(ctx, served[j], ex, ey);
    if ((n - 1) % every !== 0) this.curve(ctx, served[n - 1], ex, ey);
    ctx.stroke();
  };

  Timeline.prototype.curve = function (ctx, tr, ex, ey) {
    var tx = tr.x - this.offset, ty = AXIS_H + tr.lane.top + 12 + tr.level * 5;
    ctx.moveTo(tx, ty);
    ctx.bezierCurveTo(tx, (ty + ey) / 2, ex, (ty + ey) / 2, ex, ey);
  };

  Timeline.prototype.drawSelection = function (ctx) {
    var rec = this.selected;
    if (!rec) return;
    var self = this;
    var ring = function (r, colour) {
      var top = AXIS_H + r.lane.top;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      if (r.served !== null) ctx.strokeRect(r.x - self.offset - 2, top + 10, r.x1 - r.x + 4, r.lane.h - 20);
      else { ctx.beginPath(); ctx.arc(r.x - self.offset, top + 12 + r.level * 5, R + 3, 0, Math.PI * 2); ctx.stroke(); }
    };
    (rec.served || []).slice(-500).forEach(function (r) { ring(r, '#ffd54f'); });
    if (rec.effect) ring(rec.effect, '#ffd54f');
    ring(rec, '#ffffff');
  };

  /** The record under canvas point (x, y), or null. */
  Timeline.prototype.hit = function (x, y) {
    var lane = null;
    for (var i = 0; i < this.laneList.length; i++) {
      var l = this.laneList[i];
      if (y >= AXIS_H + l.top && y < AXIS_H + l.top + l.h) lane = l;
    }
    if (!lane) return null;
    var wx = x + this.offset, best = null, bestD = R + 3;
    for (var j = this.firstFrom(wx - this.width); j < this.records.length; j++) {
      var r = this.records[j];
      if (r.x > wx + bestD) break;
      if (r.lane !== lane) continue;
      var d = r.served !== null ? (wx >= r.x - 2 && wx <= r.x1 + 2 ? 0 : Infinity) : Math.abs(r.x - wx);
      if (d <= bestD) { best = r; bestD = d; }
    }
    return best;
  };

  /** Where record `seq` is drawn, in page coordinates (for scripts: a click there selects it). */
  Timeline.prototype.where = function (seq) {
    var r = this.bySeq.get(seq);
    if (!r) return null;
    var box = this.canvas.getBoundingClientRect();
    var x = r.served !== null ? (r.x + r.x1) / 2 : r.x;
    var y = r.served !== null ? r.lane.top + r.lane.h / 2 : r.lane.top + 12 + r.level * 5;
    return { x: box.left + x - this.offset, y: box.top + AXIS_H + y, cx: x - this.offset, cy: AXIS_H + y };
  };

  Timeline.prototype.select = function (rec) {
    this.selected = rec;
    this.dirty = true;
    this.onSelect(rec);
  };

  function pad(n, w) { n = String(n); while (n.length < w) n = '0' + n; return n; }

  function clock(ms, fraction) {
    var d = new Date(ms);
    var s = pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2);
    return fraction ? s + '.' + pad(d.getMilliseconds(), 3) : s;
  }

  window.bdTimeline = { Timeline: Timeline, clock: clock, colourOf: colourOf };
})();
