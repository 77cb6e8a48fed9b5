// Drawing the strip (see scroll.js): everything in world pixels minus the strip's left edge.
// A whole strip costs what its width holds, not what the history holds (marbles at the same
// pixel are drawn once); new point marbles are drawn onto the strip as they come, without
// repainting the rest.
(function () {
  'use strict';

  var AXIS_H = 26;
  var R = 5; // marble radius
  var MAX_LINKS_PER_EFFECT = 40;
  var TICK_STEPS_S = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];
  var FONT = '11px ui-monospace, SFMono-Regular, Menlo, monospace';
  var BAD = '#ef5350';

  /** Repaints the whole strip: grid, effects' windows and bars, their links, point marbles, the selection. */
  function drawStrip(tl, ctx) {
    var w = tl.stripW, h = tl.height, off = tl.stripOff;
    ctx.clearRect(0, 0, w, h);
    drawGrid(tl, ctx);
    var from = tl.firstFrom(off - w), to = tl.records.length;
    var i, rec;
    for (i = from; i < to; i++) {
      rec = tl.records[i];
      if (rec.served === null || rec.x1 < off || rec.wx > off + w) continue;
      drawEffect(tl, ctx, rec);
    }
    for (i = from; i < to; i++) {
      rec = tl.records[i];
      if (rec.served === null || rec.x1 < off - w || rec.x > off + w + w) continue;
      drawFan(tl, ctx, rec, rec === tl.selected || (tl.selected !== null && tl.selected.effect === rec));
    }
    tl.drawnKeys = new Set();
    var marbles = [];
    for (i = tl.firstFrom(off - 2 * R); i < to; i++) {
      rec = tl.records[i];
      if (rec.served !== null) continue;
      if (rec.x > off + w + R) break;
      marbles.push(rec);
    }
    drawMarbles(tl, ctx, marbles);
    drawSelection(tl, ctx);
  }

  /** Point marbles onto the strip as it is (each lane, pixel and stack level once per strip). */
  function drawMarbles(tl, ctx, recs) {
    var off = tl.stripOff, paths = {}, p;
    for (var i = 0; i < recs.length; i++) {
      var rec = recs[i], lane = rec.lane;
      var sx = Math.round(rec.x - off), sy = AXIS_H + lane.top + 12 + rec.level * 5;
      var key = (lane.top * 100000 + sx) * 8 + rec.level;
      if (tl.drawnKeys.has(key)) continue;
      tl.drawnKeys.add(key);
      var pk = lane.name + '|' + rec.variant;
      p = paths[pk] || (paths[pk] = { lane: lane, variant: rec.variant, path: new Path2D() });
      if (rec.variant === 'life') p.path.rect(sx - 2, AXIS_H + lane.top + 4, 4, lane.h - 8);
      else { p.path.moveTo(sx + R, sy); p.path.arc(sx, sy, R, 0, Math.PI * 2); }
    }
    for (var k in paths) {
      p = paths[k];
      if (p.variant === 'skipped') { ctx.strokeStyle = p.lane.colour; ctx.lineWidth = 2; ctx.stroke(p.path); }
      else { ctx.fillStyle = p.variant === 'failed' ? BAD : p.lane.colour; ctx.fill(p.path); }
    }
  }

  function drawGrid(tl, ctx) {
    var w = tl.stripW, h = tl.height;
    for (var j = 0; j < tl.laneList.length; j++) {
      var lane = tl.laneList[j];
      if (lane.effect) { ctx.fillStyle = 'rgba(255,255,255,0.018)'; ctx.fillRect(0, AXIS_H + lane.top, w, lane.h); }
      ctx.fillStyle = 'rgba(255,255,255,0.05)';
      ctx.fillRect(0, AXIS_H + lane.top + lane.h - 1, w, 1);
    }
    var step = TICK_STEPS_S[TICK_STEPS_S.length - 1];
    for (var i = 0; i < TICK_STEPS_S.length; i++) {
      if (TICK_STEPS_S[i] * tl.pxPerSec >= 90) { step = TICK_STEPS_S[i]; break; }
    }
    var stepMs = step * 1000;
    var leftMs = tl.t0 + (tl.stripOff * 1000) / tl.pxPerSec;
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    for (var t = Math.ceil(leftMs / stepMs) * stepMs; t < leftMs + (w * 1000) / tl.pxPerSec; t += stepMs) {
      var x = Math.round(tl.px(t) - tl.stripOff) + 0.5;
      ctx.fillStyle = 'rgba(255,255,255,0.06)';
      ctx.fillRect(x, AXIS_H, 1, h - AXIS_H);
      ctx.fillStyle = 'rgba(200,210,230,0.55)';
      ctx.fillText(window.bdTimeline.clock(t, step < 1), x + 4, AXIS_H / 2);
    }
    ctx.fillStyle = 'rgba(255,255,255,0.12)';
    ctx.fillRect(0, AXIS_H - 1, w, 1);
  }

  // The gathering window (first trigger → start: debounce, or cut by max wait), then the bar.
  function drawEffect(tl, ctx, rec) {
    var lane = rec.lane, off = tl.stripOff, top = AXIS_H + lane.top;
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
  }

  // Each effect is joined to the triggers it served: the fan shows the batch.
  function drawFan(tl, ctx, fx, chosen) {
    var served = fx.served, n = served.length;
    if (!n) return;
    var every = Math.max(1, Math.ceil(n / (chosen ? 400 : MAX_LINKS_PER_EFFECT)));
    var ex = fx.x - tl.stripOff, ey = AXIS_H + fx.lane.top + fx.lane.h / 2;
    ctx.strokeStyle = chosen ? 'rgba(255,255,255,0.85)' : 'rgba(180,200,255,0.2)';
    ctx.lineWidth = chosen ? 1.2 : 1;
    ctx.beginPath();
    for (var j = 0; j < n; j += every) curve(tl, ctx, served[j], ex, ey);
    if ((n - 1) % every !== 0) curve(tl, ctx, served[n - 1], ex, ey);
    ctx.stroke();
  }

  function curve(tl, ctx, tr, ex, ey) {
    var tx = tr.x - tl.stripOff, ty = AXIS_H + tr.lane.top + 12 + tr.level * 5;
    ctx.moveTo(tx, ty);
    ctx.bezierCurveTo(tx, (ty + ey) / 2, ex, (ty + ey) / 2, ex, ey);
  }

  function drawSelection(tl, ctx) {
    var rec = tl.selected;
    if (!rec) return;
    var ring = function (r, colour) {
      var top = AXIS_H + r.lane.top;
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      if (r.served !== null) ctx.strokeRect(r.x - tl.stripOff - 2, top + 10, r.x1 - r.x + 4, r.lane.h - 20);
      else { ctx.beginPath(); ctx.arc(r.x - tl.stripOff, top + 12 + r.level * 5, R + 3, 0, Math.PI * 2); ctx.stroke(); }
    };
    (rec.served || []).slice(-500).forEach(function (r) { ring(r, '#ffd54f'); });
    if (rec.effect) ring(rec.effect, '#ffd54f');
    ring(rec, '#ffffff');
  }

  window.bdTimelineDraw = { drawStrip: drawStrip, drawMarbles: drawMarbles, AXIS_H: AXIS_H, R: R };
})();
