// The marble diagram: one lane per source and per effect kind on a scrolling time axis.
// Marbles are DOM elements placed once (their x is fixed in time); scrolling moves one
// composited layer (`transform` on the plane), so a frame costs the same with 10 marbles or
// 10,000. The axis grid and the trigger → effect links are drawn on two canvases.
(function () {
  'use strict';
  var L = window.bdLanes;

  var AXIS_H = 26;
  var ROW_H = 34;
  var EFFECT_ROW_H = 46;
  var STACK_GAP_PX = 7; // marbles closer than this stack up instead of hiding each other
  var STACK_LEVELS = 4;
  var RIGHT_MARGIN = 0.9; // "now" sits at 90 % of the width while following
  var MAX_LINKS_PER_EFFECT = 40;
  var TICK_STEPS_S = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

  var COLOURS = {
    daemon: '#90a4ae', fs: '#4fc3f7', mutation: '#b388ff', request: '#ffd54f', signal: '#ff8a65',
    poll: '#4db6ac', remote: '#81c784', export: '#66bb6a', import: '#29b6f6', prepare: '#ffb74d',
  };

  function colourOf(name) {
    if (COLOURS[name]) return COLOURS[name];
    var h = 0;
    for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) % 360;
    return 'hsl(' + h + ', 70%, 65%)';
  }

  function verbClass(type) {
    var verb = String(type).split('/')[1] || '';
    if (verb === 'failed') return 'v-failed';
    if (verb === 'skipped' || verb === 'ignored') return 'v-skipped';
    if (verb === 'started' || verb === 'stopped' || verb === 'stopping') return 'v-life';
    return '';
  }

  function Timeline(el, opts) {
    this.viewport = el.viewport;
    this.plane = el.plane;
    this.labels = el.labels;
    this.grid = el.grid;
    this.links = el.links;
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
    this.effects = [];
    this.effectsHead = 0;
    this.pending = {}; // effect kind → triggers not yet served
    this.follow = true;
    this.viewEnd = 0;
    this.offset = 0;
    this.width = 0;
    this.height = 0;
    this.selected = null;
    this.highlighted = [];
    this.nextSeq = 0;
    var self = this;
    L.INITIAL.forEach(function (name) { self.lane(name, L.EFFECT_ORDER.indexOf(name) >= 0); });
    this.plane.addEventListener('click', function (ev) {
      var m = ev.target.closest('[data-seq]');
      if (m) self.select(self.bySeq.get(Number(m.dataset.seq)) || null);
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
    row.className = 'lane' + (effect ? ' effect' : '');
    row.dataset.lane = name;
    row.style.setProperty('--c', colourOf(name));
    var label = document.createElement('div');
    label.className = 'lane-label' + (effect ? ' effect' : '');
    label.style.setProperty('--c', colourOf(name));
    label.innerHTML = '<span class="dot"></span><span class="name"></span><span class="count">0</span>';
    label.querySelector('.name').textContent = name;
    lane = { name: name, effect: effect, row: row, label: label, countEl: label.querySelector('.count'),
      count: 0, top: 0, h: effect ? EFFECT_ROW_H : ROW_H, lastX: -1e9, level: 0 };
    this.lanes.set(name, lane);
    this.laneList.push(lane);
    this.laneList.sort(L.compareLanes);
    var i = this.laneList.indexOf(lane);
    var next = this.laneList[i + 1];
    this.plane.insertBefore(row, next ? next.row : null);
    this.labels.insertBefore(label, next ? next.label : null);
    this.layoutLanes();
    return lane;
  };

  Timeline.prototype.layoutLanes = function () {
    var top = 0;
    for (var i = 0; i < this.laneList.length; i++) {
      var lane = this.laneList[i];
      lane.top = top;
      lane.row.style.top = top + 'px';
      lane.row.style.height = lane.h + 'px';
      lane.label.style.height = lane.h + 'px';
      top += lane.h;
    }
    this.plane.style.height = top + 'px';
    this.viewport.style.height = AXIS_H + top + 'px';
    this.resize();
  };

  Timeline.prototype.resize = function () {
    this.width = this.viewport.clientWidth;
    this.height = this.viewport.clientHeight;
    var dpr = window.devicePixelRatio || 1;
    [this.grid, this.links].forEach(function (c) {
      c.width = Math.max(1, Math.round(this.width * dpr));
      c.height = Math.max(1, Math.round(this.height * dpr));
      c.style.width = this.width + 'px';
      c.style.height = this.height + 'px';
      c.getContext('2d').setTransform(dpr, 0, 0, dpr, 0, 0);
    }, this);
    this.lastDrawnOffset = NaN;
  };

  /** Adds one event; returns its record. `seq` orders events of one daemon run. */
  Timeline.prototype.add = function (e) {
    var t = Date.parse(e.ts);
    if (this.t0 === null) this.t0 = t;
    var effect = L.isEffect(e);
    var lane = this.lane(L.laneOf(e.type), effect);
    var rec = { seq: this.nextSeq++, e: e, t: t, lane: lane, el: null, win: null, served: null, effect: null, level: 0 };
    var el = document.createElement('div');
    el.className = 'm ' + (effect ? 'bar ' : '') + verbClass(e.type);
    el.dataset.eventType = e.type;
    el.dataset.seq = rec.seq;
    if (effect) {
      el.dataset.batched = e.batched;
      this.link(rec);
      this.effects.push(rec);
    } else {
      var kind = L.feeds(e);
      if (kind) (this.pending[kind] || (this.pending[kind] = [])).push(rec);
    }
    rec.el = el;
    this.place(rec);
    lane.row.appendChild(el);
    if (rec.win) lane.row.insertBefore(rec.win, el);
    lane.count++;
    lane.countDirty = true;
    this.records.push(rec);
    this.bySeq.set(rec.seq, rec);
    while (this.records.length - this.head > this.maxEvents) this.drop();
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
    if (first !== null) {
      var win = document.createElement('div');
      win.className = 'win k-' + rec.windowKind;
      win.title = rec.windowKind === 'max-wait'
        ? 'cut by max wait (' + this.settings.maxWaitMs + ' ms) while triggers kept coming'
        : 'debounce: ran ' + (start - last) + ' ms after the last trigger';
      rec.win = win;
    }
  };

  Timeline.prototype.place = function (rec) {
    var lane = rec.lane;
    if (rec.served !== null) {
      var x0 = this.px(rec.start);
      var w = Math.max(4, this.px(rec.t) - x0);
      rec.x = x0;
      rec.el.style.cssText = 'left:' + x0.toFixed(1) + 'px;width:' + w.toFixed(1) + 'px';
      if (rec.win) {
        var wx = this.px(rec.served[0].t);
        rec.win.style.cssText = 'left:' + wx.toFixed(1) + 'px;width:' + Math.max(1, x0 - wx).toFixed(1) + 'px';
      }
      return;
    }
    var x = this.px(rec.t);
    lane.level = x - lane.lastX < STACK_GAP_PX ? (lane.level + 1) % STACK_LEVELS : 0;
    if (lane.level === 0) lane.lastX = x;
    rec.level = lane.level;
    rec.x = x;
    rec.el.style.cssText = 'left:' + x.toFixed(1) + 'px;top:' + (7 + rec.level * 5) + 'px';
  };

  Timeline.prototype.drop = function () {
    var rec = this.records[this.head];
    this.records[this.head++] = undefined;
    rec.el.remove();
    if (rec.win) rec.win.remove();
    this.bySeq.delete(rec.seq);
    if (rec.served !== null) this.effectsHead++;
    if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
      this.effects = this.effects.slice(this.effectsHead);
      this.effectsHead = 0;
    }
  };

  Timeline.prototype.size = function () {
    return this.records.length - this.head;
  };

  Timeline.prototype.setZoom = function (pxPerSec) {
    this.pxPerSec = pxPerSec;
    this.lanes.forEach(function (lane) { lane.lastX = -1e9; lane.level = 0; });
    for (var i = this.head; i < this.records.length; i++) this.place(this.records[i]);
    this.lastDrawnOffset = NaN;
  };

  Timeline.prototype.setFollow = function (follow, nowMs) {
    this.follow = follow;
    if (!follow) this.viewEnd = nowMs;
  };

  /** Scrolls back (positive) or forward while paused. */
  Timeline.prototype.pan = function (dxPx) {
    this.viewEnd -= (dxPx * 1000) / this.pxPerSec;
  };

  Timeline.prototype.frame = function (nowMs) {
    if (this.follow) this.viewEnd = nowMs;
    if (this.t0 === null) this.t0 = nowMs;
    var offset = this.px(this.viewEnd) - this.width * RIGHT_MARGIN;
    this.lanes.forEach(function (lane) {
      if (lane.countDirty) { lane.countEl.textContent = lane.count; lane.countDirty = false; }
    });
    if (offset === this.lastDrawnOffset && !this.linksDirty) return;
    this.offset = offset;
    this.lastDrawnOffset = offset;
    this.linksDirty = false;
    this.plane.style.transform = 'translate3d(' + (-offset).toFixed(1) + 'px,' + AXIS_H + 'px,0)';
    this.drawGrid(nowMs);
    this.drawLinks();
  };

  Timeline.prototype.drawGrid = function (nowMs) {
    var ctx = this.grid.getContext('2d');
    var w = this.width, h = this.height;
    ctx.clearRect(0, 0, w, h);
    var step = TICK_STEPS_S[TICK_STEPS_S.length - 1];
    for (var i = 0; i < TICK_STEPS_S.length; i++) {
      if (TICK_STEPS_S[i] * this.pxPerSec >= 90) { step = TICK_STEPS_S[i]; break; }
    }
    var stepMs = step * 1000;
    var leftMs = this.t0 + (this.offset * 1000) / this.pxPerSec;
    var first = Math.ceil(leftMs / stepMs) * stepMs;
    ctx.font = '11px ui-monospace, SFMono-Regular, Menlo, monospace';
    ctx.textBaseline = 'middle';
    for (var t = first; t < leftMs + (w * 1000) / this.pxPerSec; t += stepMs) {
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

  // Each visible effect's bar is joined to the triggers it served: the fan shows the batch.
  Timeline.prototype.drawLinks = function () {
    var ctx = this.links.getContext('2d');
    ctx.clearRect(0, 0, this.width, this.height);
    var left = this.offset, right = this.offset + this.width;
    for (var i = this.effects.length - 1; i >= this.effectsHead; i--) {
      var fx = this.effects[i];
      if (fx.x > right) continue;
      if (fx.x < left - this.width) break;
      var chosen = fx === this.selected || (this.selected && this.selected.effect === fx);
      this.drawFan(ctx, fx, chosen);
    }
  };

  Timeline.prototype.drawFan = function (ctx, fx, chosen) {
    var served = fx.served;
    if (!served.length) return;
    var n = served.length;
    var every = chosen ? Math.max(1, Math.ceil(n / 400)) : Math.max(1, Math.ceil(n / MAX_LINKS_PER_EFFECT));
    var ex = fx.x - this.offset, ey = AXIS_H + fx.lane.top + fx.lane.h / 2;
    ctx.strokeStyle = chosen ? 'rgba(255,255,255,0.85)' : 'rgba(180,200,255,0.18)';
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

  Timeline.prototype.select = function (rec) {
    this.highlighted.forEach(function (el) { el.classList.remove('served', 'selected'); });
    this.highlighted = [];
    this.selected = rec;
    this.linksDirty = true;
    if (rec) {
      var mark = function (r, cls) { if (r && r.el.isConnected) { r.el.classList.add(cls); this.highlighted.push(r.el); } }.bind(this);
      mark(rec, 'selected');
      (rec.served || []).slice(-500).forEach(function (r) { mark(r, 'served'); });
      if (rec.effect) mark(rec.effect, 'served');
    }
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
