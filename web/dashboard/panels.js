// The side panels and the event table. Each redraws at most a few times a second (the caller
// marks it dirty), so a burst of events costs the page one redraw, not one per event.
(function () {
  'use strict';
  var L = window.bdLanes;
  var clock = window.bdTimeline.clock;
  var colourOf = window.bdTimeline.colourOf;

  var STATUS_FIELDS = [
    ['daemon_mode', 'mode'], ['pid', 'pid'], ['uptime_seconds', 'uptime', seconds],
    ['debounce_ms', 'debounce', ms], ['max_wait_ms', 'max wait', ms],
    ['mutations', 'mutations'], ['exports', 'exports'], ['exports_batched_from', 'exports batched from'],
    ['imports', 'imports'], ['imports_batched_from', 'imports batched from'], ['skipped_imports', 'skipped imports'],
    ['file_changes', 'file changes'], ['events_received', 'events received'], ['errors', 'errors'],
    ['watcher_status', 'watcher'], ['last_sync_at', 'last sync', ago], ['last_error', 'last error'],
  ];

  function ms(v) { return v + ' ms'; }
  function seconds(v) { return v < 60 ? v + ' s' : Math.floor(v / 60) + ' m ' + (v % 60) + ' s'; }
  function ago(v) {
    if (!v) return 'never';
    var s = Math.max(0, Math.round((Date.now() - Date.parse(v)) / 1000));
    return s + ' s ago';
  }

  // The same keys as last time (the status every second, the counters under a stream): only the
  // values that changed are written, so a redraw lays out and paints those, not the whole list.
  function kv(dl, pairs) {
    var keys = pairs.map(function (p) { return p[0]; }).join('\n');
    if (dl.bdKeys === keys) {
      var dds = dl.getElementsByTagName('dd');
      for (var k = 0; k < pairs.length; k++) {
        var text = String(pairs[k][1]), cls = pairs[k][2] || '';
        if (dds[k].textContent !== text) dds[k].textContent = text;
        if (dds[k].className !== cls) dds[k].className = cls;
      }
      return;
    }
    dl.bdKeys = keys;
    var html = '';
    for (var i = 0; i < pairs.length; i++) {
      html += '<dt>' + esc(pairs[i][0]) + '</dt><dd' + (pairs[i][2] ? ' class="' + pairs[i][2] + '"' : '') + '>' + esc(pairs[i][1]) + '</dd>';
    }
    dl.innerHTML = html;
  }

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; });
  }

  function renderStatus(dl, status) {
    var pairs = [];
    STATUS_FIELDS.forEach(function (f) {
      if (status[f[0]] === undefined) return;
      var v = status[f[0]];
      pairs.push([f[1], v === null ? '—' : f[2] ? f[2](v) : v, f[0] === 'errors' && v > 0 ? 'bad' : '']);
    });
    var lat = status.latency_ms;
    if (lat) pairs.push(['mutation → export', 'p50 ' + (lat.p50 === null ? '—' : lat.p50 + ' ms') + ' · p99 ' + (lat.p99 === null ? '—' : lat.p99 + ' ms'), '']);
    kv(dl, pairs);
  }

  function renderCounters(dl, counts, extra) {
    var types = Object.keys(counts).sort();
    var pairs = types.map(function (t) { return [t, counts[t], '']; });
    kv(dl, pairs.concat(extra));
  }

  // Latencies from the mutations each export served to that export's end (the JSONL renamed into place).
  function Histogram(el, summary) {
    this.el = el;
    this.summary = summary;
    this.bins = L.LATENCY_BINS.map(function () { return 0; });
    this.samples = [];
    var html = '';
    for (var i = 0; i < L.LATENCY_BINS.length; i++) {
      var lo = i === 0 ? 0 : L.LATENCY_BINS[i - 1];
      var label = L.LATENCY_BINS[i] === Infinity ? '≥' + short(lo) : '<' + short(L.LATENCY_BINS[i]);
      html += '<div class="bin" title=""><div class="bar-wrap"><div class="fill"></div></div><div class="n">0</div><div class="lbl">' + label + '</div></div>';
    }
    el.innerHTML = html;
    this.fills = el.querySelectorAll('.fill');
    this.ns = el.querySelectorAll('.n');
  }

  function short(v) { return v >= 1000 ? v / 1000 + 's' : v + ''; }

  Histogram.prototype.add = function (latencyMs) {
    this.bins[L.latencyBin(latencyMs)]++;
    this.samples.push(latencyMs);
    if (this.samples.length > 5000) this.samples.splice(0, this.samples.length - 5000);
  };

  Histogram.prototype.render = function () {
    var max = Math.max.apply(null, this.bins) || 1;
    for (var i = 0; i < this.bins.length; i++) {
      this.fills[i].style.height = Math.round((this.bins[i] / max) * 100) + '%';
      this.ns[i].textContent = this.bins[i] || '';
    }
    if (!this.samples.length) { this.summary.textContent = ''; return; }
    var sorted = this.samples.slice().sort(function (a, b) { return a - b; });
    var p = function (q) { return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]; };
    this.summary.textContent = 'p50 ' + p(0.5) + ' ms · p99 ' + p(0.99) + ' ms · n=' + sorted.length;
  };

  function detailOf(e) {
    switch (e.type) {
      case 'store/mutated': return e.op + ' ' + e.id;
      case 'fs/changed': return e.path.split('/').slice(-2).join('/');
      case 'sync/requested': return e.kind + ' · ' + e.reason;
      case 'daemon/started': return e.mode + ' · debounce ' + e.debounceMs + ' ms · max wait ' + e.maxWaitMs + ' ms';
      default: break;
    }
    var parts = [];
    if (typeof e.batched === 'number') parts.push('batched ' + e.batched);
    if (typeof e.ms === 'number') parts.push(e.ms + ' ms');
    if (typeof e.issues === 'number') parts.push(e.issues + ' issues');
    if (typeof e.created === 'number') parts.push('+' + e.created + ' ~' + e.updated + ' −' + e.deleted);
    if (e.reason) parts.push(e.reason);
    if (e.error) parts.push(e.error);
    if (e.message) parts.push(e.message);
    return parts.join(' · ');
  }

  function rowHtml(r, selectedSeq) {
    return '<tr data-seq="' + r.seq + '" data-event-type="' + esc(r.e.type) + '"' + (r.seq === selectedSeq ? ' class="selected"' : '') + '>' +
      '<td class="t">' + clock(r.t, true) + '</td>' +
      '<td><span class="chip" style="--c:' + colourOf(r.lane.name) + '">' + esc(r.e.type) + '</span></td>' +
      '<td class="dim">' + esc(r.lane.name) + '</td>' +
      '<td class="d">' + esc(detailOf(r.e)) + '</td></tr>';
  }

  /**
   * The newest `limit` events, newest first, of one type or all. Under a stream of events only
   * the new rows are parsed, put on top, and as many old ones taken off the bottom: the rest of
   * the table stays as it was (a rebuild of 100 rows several times a second was most of a
   * frame). A new filter or selection rebuilds it.
   */
  function Rows(tbody, limit) {
    this.tbody = tbody;
    this.limit = limit;
    this.filter = null;
    this.selectedSeq = -1;
    this.newestSeq = -1;
    this.shown = 0;
  }

  Rows.prototype.render = function (records, head, filter, selectedSeq) {
    var rebuild = filter !== this.filter || selectedSeq !== this.selectedSeq;
    var html = '', fresh = 0;
    for (var i = records.length - 1; i >= head && fresh < this.limit; i--) {
      var r = records[i];
      if (!rebuild && r.seq <= this.newestSeq) break;
      if (filter && r.e.type !== filter) continue;
      fresh++;
      html += rowHtml(r, selectedSeq);
    }
    if (records.length > head) this.newestSeq = records[records.length - 1].seq;
    this.filter = filter;
    this.selectedSeq = selectedSeq;
    var tb = this.tbody;
    if (rebuild || fresh >= this.limit) {
      tb.innerHTML = html;
      this.shown = fresh;
    } else if (fresh > 0) {
      tb.insertAdjacentHTML('afterbegin', html);
      this.shown += fresh;
    }
    // Past the limit, and rows whose events left the bounded history (oldest, at the bottom).
    var oldest = records.length > head ? records[head].seq : Infinity;
    while (tb.lastElementChild && (this.shown > this.limit || Number(tb.lastElementChild.dataset.seq) < oldest)) {
      tb.lastElementChild.remove();
      this.shown--;
    }
    return this.shown;
  };

  window.bdPanels = { renderStatus: renderStatus, renderCounters: renderCounters, Histogram: Histogram, Rows: Rows, esc: esc };
})();
