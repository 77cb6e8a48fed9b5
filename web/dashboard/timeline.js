// The marble diagram: one lane per source and per effect kind on a scrolling time axis. It is
// drawn on a canvas wider than the view (a strip, timeline-draw.js) that the compositor slides
// left (scroll.js): the page repaints only when something changed (new marbles are drawn onto
// the strip, an effect, a selection, a pan or a zoom repaint it) or the strip's spare width is
// used up, a few seconds at the default zoom. Beside it, hidden, the DOM contract (README): an
// element per lane and per marble, kept in step.
(function () {
  'use strict';
  var L = window.bdLanes;
  var D = window.bdTimelineDraw;

  var AXIS_H = D.AXIS_H;
  var R = D.R;
  var ROW_H = 34;
  var EFFECT_ROW_H = 46;
  var STACK_GAP_PX = 7; // marbles closer than this stack up instead of hiding each other
  var STACK_LEVELS = 4;
  var RIGHT_MARGIN = 0.9; // "now" sits at 90 % of the width while following
  // The strip's width beyond the view: how far it slides before the page draws the next one
  // (5 s at the default 100 px/s). Wider means rarer redraws and a larger canvas to clear.
  var MIN_SPARE_PX = 512;
  // More new marbles than this in one frame: repainting the strip (bounded by its width) is cheaper.
  var FRESH_MAX = 2000;

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
    this.scroller = new window.bdScroll.Scroller(el.canvas, el.now);
    this.maxEvents = opts.maxEvents;
    this.onSelect = opts.onSelect;
    this.wake = opts.wake; // asks the page for a frame
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
    this.panned = false; // paused and moved since the last frame
    this.viewEnd = 0;
    this.offset = 0; // paused: world x of the view's left edge
    this.width = 0;
    this.height = 0;
    this.selected = null;
    this.nextSeq = 0;
    // The strip: world x of its left edge, its width, when it was drawn and how long it slides.
    this.stripOff = 0;
    this.stripW = 0;
    this.stripAt = 0;
    this.stripMs = 0;
    this.renewTimer = null;
    this.full = true; // the strip must be repainted
    this.sliding = false; // the compositor slides the strip now
    this.fresh = []; // point marbles added since the strip was last drawn
    this.drawnKeys = new Set();
    this.strips = 0; // strips painted whole, since load
    this.domLanes = []; // lanes with marble elements not yet in the document
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

  Timeline.prototype.invalidate = function () {
    this.full = true;
    this.wake();
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
      count: 0, shownCount: 0, top: 0, h: effect ? EFFECT_ROW_H : ROW_H, lastX: -1e9, level: 0, html: null };
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
    this.stripW = this.width + Math.max(MIN_SPARE_PX, Math.round(this.width / 2));
    var dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(this.stripW * dpr));
    this.canvas.height = Math.max(1, Math.round(this.height * dpr));
    this.canvas.style.width = this.stripW + 'px';
    this.canvas.style.height = this.height + 'px';
    this.canvas.getContext('2d').setTransform(dpr, 0, 0, dpr, 0, 0);
    this.full = true;
  };

  /** Adds one event; returns its record. */
  Timeline.prototype.add = function (e) {
    var t = Date.parse(e.ts);
    if (this.t0 === null) this.t0 = t;
    var effect = L.isEffect(e);
    var lane = this.lane(L.laneOf(e.type), effect);
    var rec = { seq: this.nextSeq++, e: e, t: t, lane: lane, variant: variantOf(e.type),
      served: null, effect: null, level: 0, x: 0, x1: 0, wx: 0 };
    if (effect) {
      this.link(rec);
    } else {
      var kind = L.feeds(e);
      if (kind) (this.pending[kind] || (this.pending[kind] = [])).push(rec);
    }
    // The marble's element, as markup: a lane's new ones go into the document as one string per
    // frame (flushDom), parsed natively, not built with a few DOM calls per event.
    if (!lane.html) { lane.html = []; this.domLanes.push(lane); }
    lane.html.push('<i data-event-type="' + attr(e.type) + '" data-seq="' + rec.seq + '"' +
      (effect ? ' data-batched="' + attr(e.batched) + '"' : '') + '></i>');
    this.place(rec);
    lane.count++;
    this.records.push(rec);
    this.bySeq.set(rec.seq, rec);
    if (effect) this.full = true; // its window and links go under the marbles
    else this.fresh.push(rec);
    while (this.records.length - this.head > this.maxEvents) this.drop();
    return rec;
  };

  Timeline.prototype.flushDom = function () {
    for (var i = 0; i < this.domLanes.length; i++) {
      var lane = this.domLanes[i];
      if (lane.html.length) lane.row.insertAdjacentHTML('beforeend', lane.html.join(''));
      lane.html = null;
    }
    this.domLanes = [];
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
    // A lane's elements are in time order, those in the document before those still to go in:
    // the oldest of the lane is its first element, or its first string when none went in yet.
    var first = rec.lane.row.firstElementChild;
    if (first) first.remove();
    else rec.lane.html.shift();
    this.bySeq.delete(rec.seq);
    if (rec === this.selected) this.selected = null;
    // A marble on the strip goes with its element (the contract: one element per marble drawn).
    if (rec.x1 >= this.stripOff - R && rec.wx <= this.stripOff + this.stripW + R) this.full = true;
    if (this.head > 4096 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  };

  Timeline.prototype.size = function () {
    return this.records.length - this.head;
  };

  /** Lane labels' counts, when they changed (the caller does it a few times a second). */
  Timeline.prototype.renderCounts = function () {
    for (var i = 0; i < this.laneList.length; i++) {
      var lane = this.laneList[i];
      if (lane.count !== lane.shownCount) { lane.countEl.textContent = lane.count; lane.shownCount = lane.count; }
    }
  };

  Timeline.prototype.setZoom = function (pxPerSec) {
    this.pxPerSec = pxPerSec;
    if (this.t0 === null) return;
    this.lanes.forEach(function (lane) { lane.lastX = -1e9; lane.level = 0; });
    for (var i = this.head; i < this.records.length; i++) this.place(this.records[i]);
    if (!this.follow) this.offset = this.px(this.viewEnd) - this.width * RIGHT_MARGIN;
    this.invalidate();
  };

  Timeline.prototype.setFollow = function (follow, nowMs) {
    if (follow === this.follow) return;
    this.follow = follow;
    if (follow) { this.invalidate(); return; }
    // Paused where the compositor has slid the strip to: nothing moves, nothing is repainted.
    this.offset = this.stripOff + this.scroller.hold();
    this.sliding = false;
    this.viewEnd = this.t0 + ((this.offset + this.width * RIGHT_MARGIN) * 1000) / this.pxPerSec;
    this.stopRenewal();
    this.scroller.nowDrifts(this.px(nowMs) - this.offset, this.pxPerSec, this.width);
  };

  /** Scrolls back (positive) or forward while paused. */
  Timeline.prototype.pan = function (dxPx) {
    this.offset -= dxPx;
    this.viewEnd -= (dxPx * 1000) / this.pxPerSec;
    this.panned = true;
    this.wake();
  };

  // A frame when this strip has slid out.
  Timeline.prototype.armRenewal = function (nowMs) {
    this.stopRenewal();
    var next = this.stripAt + this.stripMs - nowMs;
    var self = this;
    this.renewTimer = setTimeout(function () { self.renewTimer = null; self.wake(); }, Math.max(0, next) + 5);
  };

  Timeline.prototype.stopRenewal = function () {
    if (this.renewTimer !== null) { clearTimeout(this.renewTimer); this.renewTimer = null; }
  };

  /**
   * One animation frame: the new elements into the document, then whatever the strip needs.
   * `streaming` (events keep coming, a frame of the page's a second): the strip does not slide
   * between frames but is moved to where it belongs in this one (a transform), so a stream costs
   * the tab one composite a second, not one per slide step too; the slide resumes after it.
   */
  Timeline.prototype.frame = function (nowMs, streaming) {
    if (this.t0 === null) this.t0 = nowMs;
    this.flushDom();
    var ctx = this.canvas.getContext('2d');
    if (this.fresh.length > FRESH_MAX) this.full = true;
    if (this.follow && streaming) {
      var at = this.px(nowMs) - this.width * RIGHT_MARGIN;
      var moved = at - this.stripOff;
      if (this.full || moved < 0 || moved > this.stripW - this.width) {
        this.stripOff = at;
        this.paint(ctx);
        moved = 0;
      }
      this.sliding = false;
      this.stopRenewal(); // the page asks for the frame after the stream (dashboard.js)
      this.scroller.shiftTo(moved);
      this.scroller.nowAt(this.width * RIGHT_MARGIN);
    } else if (this.follow) {
      var off = this.px(nowMs) - this.width * RIGHT_MARGIN;
      var slidOut = nowMs >= this.stripAt + this.stripMs - 20;
      if (this.full || slidOut || off < this.stripOff - 1 || !this.sliding) {
        this.sliding = true;
        this.stripOff = off;
        this.paint(ctx);
        this.stripAt = nowMs;
        this.stripMs = this.scroller.run(this.pxPerSec, this.stripW - this.width);
        this.scroller.nowAt(this.width * RIGHT_MARGIN);
        this.armRenewal(nowMs);
        return;
      }
      this.armRenewal(nowMs);
    } else if (this.full || this.panned) {
      // Paused: a pan that stays inside the strip only moves it (a transform, no repaint); a
      // new strip is drawn with the view in its middle, so the next pans either way fit too.
      var spare = this.stripW - this.width, shift = this.offset - this.stripOff;
      if (this.full || shift < 0 || shift > spare) {
        this.stripOff = this.offset - Math.floor(spare / 2);
        this.paint(ctx);
        shift = this.offset - this.stripOff;
      }
      this.panned = false;
      this.scroller.shiftTo(shift);
      this.scroller.nowDrifts(this.px(nowMs) - this.offset, this.pxPerSec, this.width);
      return;
    }
    if (this.fresh.length) {
      D.drawMarbles(this, ctx, this.fresh);
      this.fresh = [];
    }
  };

  Timeline.prototype.paint = function (ctx) {
    D.drawStrip(this, ctx);
    this.full = false;
    this.fresh = [];
    this.strips++;
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

  /** The record under canvas point (x, y) (the strip's own coordinates), or null. */
  Timeline.prototype.hit = function (x, y) {
    var lane = null;
    for (var i = 0; i < this.laneList.length; i++) {
      var l = this.laneList[i];
      if (y >= AXIS_H + l.top && y < AXIS_H + l.top + l.h) lane = l;
    }
    if (!lane) return null;
    var wx = x + this.stripOff, best = null, bestD = R + 3;
    for (var j = this.firstFrom(wx - this.stripW); j < this.records.length; j++) {
      var r = this.records[j];
      if (r.x > wx + bestD) break;
      if (r.lane !== lane) continue;
      var d = r.served !== null ? (wx >= r.x - 2 && wx <= r.x1 + 2 ? 0 : Infinity) : Math.abs(r.x - wx);
      if (d <= bestD) { best = r; bestD = d; }
    }
    return best;
  };

  /**
   * Where record `seq` is drawn: page coordinates (x, y: a click there selects it) and the
   * canvas's own (cx, cy: where its pixels are).
   */
  Timeline.prototype.where = function (seq) {
    var r = this.bySeq.get(seq);
    if (!r) return null;
    var box = this.canvas.getBoundingClientRect();
    var x = (r.served !== null ? (r.x + r.x1) / 2 : r.x) - this.stripOff;
    var y = AXIS_H + (r.served !== null ? r.lane.top + r.lane.h / 2 : r.lane.top + 12 + r.level * 5);
    return { x: box.left + x, y: box.top + y, cx: x, cy: y };
  };

  Timeline.prototype.select = function (rec) {
    this.selected = rec;
    this.invalidate();
    this.onSelect(rec);
  };

  function attr(v) {
    return String(v).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; });
  }

  function pad(n, w) { n = String(n); while (n.length < w) n = '0' + n; return n; }

  function clock(ms, fraction) {
    var d = new Date(ms);
    var s = pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2);
    return fraction ? s + '.' + pad(d.getMilliseconds(), 3) : s;
  }

  window.bdTimeline = { Timeline: Timeline, clock: clock, colourOf: colourOf };
})();
