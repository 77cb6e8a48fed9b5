import { filter } from 'rxjs';
import type { DaemonEvent } from '../src/events/daemon-event';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { WatchEvent } from '../src/pipeline/daemon-sources';
import {
  exportDone,
  fakeEffects,
  importDone,
  isOutcomeOrLifecycle,
  mutation,
  SETTINGS,
  sources,
  STOPPED,
  testScheduler,
} from './support/fake-daemon';

const watch: Record<string, WatchEvent> = {
  c: { kind: 'change', path: '.beads/issues.jsonl' },
  e: { kind: 'error', code: 'ENOSPC', message: 'inotify watch limit reached' },
  f: { kind: 'error', code: 'EMFILE', message: 'too many open files' },
};
const failed = (code: string, message: string, fatal: boolean): DaemonEvent => ({
  type: 'watcher/failed',
  code,
  message,
  fatal,
});
const pollMode = (reason: string): DaemonEvent => ({ type: 'mode/poll', reason, intervalMs: 5000 });

describe('watcher fallback', () => {
  it('should report a watcher error, switch to polling once, and import every pollIntervalMs', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const fileChange$ = hot('1000ms e 999ms f', watch);
      const unsub = '          17s !';
      // Ticks at 6 s, 11 s, 16 s; each one is an import request, debounced like a file change.
      const expected = '       (xy) 996ms (wp) 996ms v 4499ms i 4999ms i 4999ms i';
      const out$ = daemonPipeline(sources({ fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$, unsub).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        w: failed('ENOSPC', 'inotify watch limit reached', false),
        p: pollMode('ENOSPC'),
        v: failed('EMFILE', 'too many open files', false),
        i: importDone(1),
      });
    });
    expect(effects.runs.filter((run) => run.kind === 'import').map((run) => run.start)).toEqual([0, 6500, 11500, 16500]);
  });

  it('should poll from the start in poll mode, announcing mode/poll configured', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ expectObservable }) => {
      const unsub = '   12s !';
      const expected = '(pxy) 5495ms i 4999ms i';
      const out$ = daemonPipeline(sources(), { ...SETTINGS, mode: 'poll', ...effects, scheduler });
      expectObservable(out$, unsub).toBe(expected, {
        p: pollMode('configured'),
        x: exportDone(1),
        y: importDone(1),
        i: importDone(1),
      });
    });
  });

  it('should treat a watcher Observable that errors like a watcher error event, and fall back to polling', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const died = Object.assign(new Error('watcher closed unexpectedly'), { code: 'ERR_CLOSED' });
      const fileChange$ = cold<WatchEvent>('1000ms #', watch, died);
      const unsub = '                       7s !';
      const expected = '                    (xy) 996ms (wp) 5496ms i';
      const out$ = daemonPipeline(sources({ fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$, unsub).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        w: failed('ERR_CLOSED', 'watcher closed unexpectedly', false),
        p: pollMode('ERR_CLOSED'),
        i: importDone(1),
      });
    });
  });

  it('should never poll in events mode while the watcher reports no error', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const fileChange$ = cold<WatchEvent>('-----', watch);
      const expected = '                    (xy)';
      const out$ = daemonPipeline(sources({ fileChange$ }), { ...SETTINGS, ...effects, scheduler });
      expectObservable(out$).toBe(expected, { x: exportDone(1), y: importDone(1) });
    });
    expect(effects.runs).toHaveLength(2);
  });

  it('should make a watcher error fatal when fallback is disabled: flush the pending export, stop and complete', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const mutation$ = cold(' 100ms m', { m: mutation('bd-a1b2') });
      const fileChange$ = hot('200ms c 99ms e 99ms c', watch);
      const subs = '           ^ 299ms !';
      const expected = '       (xy) 296ms (fez|)';
      const deps = { ...SETTINGS, watcherFallback: false, ...effects, scheduler };
      const out$ = daemonPipeline(sources({ mutation$, fileChange$ }), deps);
      expectObservable(out$.pipe(filter(isOutcomeOrLifecycle))).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        f: failed('ENOSPC', 'inotify watch limit reached', true),
        e: exportDone(1),
        z: STOPPED,
      });
      expectSubscriptions(fileChange$.subscriptions).toBe(subs);
    });
    // The import debounced from the change at 200 ms was dropped, like on SIGTERM.
    expect(effects.runs.map((run) => run.kind)).toEqual(['export', 'import', 'export']);
  });

  it('should stop polling when unsubscribed', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ expectObservable }) => {
      const unsub = '   7s !';
      const expected = '(pxy) 5495ms i';
      const out$ = daemonPipeline(sources(), { ...SETTINGS, mode: 'poll', ...effects, scheduler });
      expectObservable(out$, unsub).toBe(expected, {
        p: pollMode('configured'),
        x: exportDone(1),
        y: importDone(1),
        i: importDone(1),
      });
    });
    expect(effects.runs.filter((run) => run.kind === 'import').map((run) => run.start)).toEqual([0, 5500]);
  });
});
