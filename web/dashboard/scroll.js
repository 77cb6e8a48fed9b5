// The time axis scrolls without repainting: the diagram is drawn once on a canvas wider than the
// view (a strip), and the compositor slides that canvas left at the zoom's speed (a Web
// Animations transform, which runs off the main thread), until the strip's spare width is used
// up and the page draws a new one. An idle tab so runs no script and paints nothing between
// those redraws; the "now" line is an element of its own, still while following.
(function () {
  'use strict';

  // The slide moves in whole pixels (a fractional shift would resample the canvas, blurring the
  // marbles and costing more), and at most this often: beyond it a faster zoom moves in bigger
  // steps. Each step is a frame the tab's compositor makes and the display composites (in
  // software without a GPU), ~6 ms of the renderer's and ~9 ms of the GPU process's CPU here
  // however little moved: at 30 a second while events came, 5 tabs' steps were a third of their
  // CPU under a stream of creates, and at 4 a second still most of an idle tab's (BENCHMARKS.md,
  // "where 5 tabs' CPU goes"). So the axis ticks twice a second, busy or idle (50 px at the
  // default zoom); under a stream the strip is redrawn at each events frame anyway.
  var STEPS_PER_SEC = 2;

  function Scroller(canvas, nowLine) {
    this.canvas = canvas;
    this.nowLine = nowLine;
    this.anim = null;
    this.nowAnim = null;
    this.shift = 0; // px the canvas is moved left while held
  }

  function stepPx(pxPerSec) {
    return Math.max(1, Math.ceil(pxPerSec / STEPS_PER_SEC));
  }

  /** Whole-pixel steps of a slide at `pxPerSec` covering `marginPx` (rounded down to a step). */
  Scroller.prototype.span = function (pxPerSec, marginPx) {
    var step = stepPx(pxPerSec);
    var steps = Math.max(1, Math.floor(marginPx / step));
    return { px: steps * step, steps: steps, ms: (steps * step * 1000) / pxPerSec };
  };

  /**
   * Slides the canvas from where it was drawn, left, at `pxPerSec`, `marginPx` at most, in
   * returns the ms it lasts.
   */
  Scroller.prototype.run = function (pxPerSec, marginPx) {
    this.stop();
    var s = this.span(pxPerSec, marginPx);
    this.canvas.style.transform = '';
    this.shift = 0;
    this.anim = this.canvas.animate(
      [{ transform: 'translateX(0px)' }, { transform: 'translateX(' + -s.px + 'px)' }],
      // `end` steps: nothing moves before a whole step has elapsed; it holds at the end (forwards)
      // until the page draws the next strip.
      { duration: s.ms, easing: 'steps(' + s.steps + ', end)', fill: 'forwards' },
    );
    return s.ms;
  };

  /** Stops the slide where it is now, and returns how far (px) the canvas has moved left. */
  Scroller.prototype.hold = function () {
    if (this.anim) {
      // What the compositor shows now, as the inline style, so nothing jumps.
      this.anim.commitStyles();
      this.anim.cancel();
      this.anim = null;
      var t = getComputedStyle(this.canvas).transform;
      this.shift = t && t !== 'none' ? -new DOMMatrixReadOnly(t).m41 : 0;
    }
    return this.shift;
  };

  /** The canvas unmoved (it was just drawn for the current view). */
  Scroller.prototype.stop = function () {
    this.shiftTo(0);
  };

  /** The canvas held `px` left of where it was drawn (paused: the view inside a wider strip). */
  Scroller.prototype.shiftTo = function (px) {
    if (this.anim) { this.anim.cancel(); this.anim = null; }
    px = Math.round(px);
    this.canvas.style.transform = px ? 'translateX(' + -px + 'px)' : '';
    this.shift = px;
  };

  /** The "now" line at `x` in the view, still (following: the diagram moves under it). */
  Scroller.prototype.nowAt = function (x) {
    if (this.nowAnim) { this.nowAnim.cancel(); this.nowAnim = null; }
    this.nowLine.style.transform = 'translateX(' + Math.round(x) + 'px)';
    this.nowLine.hidden = false;
  };

  /** Paused: the "now" line starts at `x` and moves right at `pxPerSec` until it leaves a view `width` wide. */
  Scroller.prototype.nowDrifts = function (x, pxPerSec, width) {
    if (this.nowAnim) { this.nowAnim.cancel(); this.nowAnim = null; }
    x = Math.round(x);
    if (x > width) { this.nowLine.hidden = true; return; }
    this.nowLine.hidden = false;
    var s = this.span(pxPerSec, Math.max(1, width + 2 - x));
    this.nowAnim = this.nowLine.animate(
      [{ transform: 'translateX(' + x + 'px)' }, { transform: 'translateX(' + (x + s.px) + 'px)' }],
      { duration: s.ms, easing: 'steps(' + s.steps + ', end)', fill: 'forwards' },
    );
  };

  window.bdScroll = { Scroller: Scroller };
})();
