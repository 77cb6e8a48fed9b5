import { of } from 'rxjs';
import type { DaemonEvent } from '../src/events/daemon-event';
import { daemonPipeline } from '../src/pipeline/daemon-pipeline';
import type { DaemonSignal, SyncTrigger, WatchEvent } from '../src/pipeline/daemon-sources';
import {
  exportDone,
  fakeEffects,
  importDone,
  mutation,
  SETTINGS,
  sources,
  STOPPED,
  stopping,
  testScheduler,
} from './support/fake-daemon';

const signals: Record<string, DaemonSignal> = { T: 'SIGTERM', H: 'SIGHUP' };
const mutated: DaemonEvent = { type: 'store/mutated', op: 'update', id: 'bd-a1b2' };

describe('daemonPipeline', () => {
  it('should behave as the diagram in its doc comment says (debounceMs 5)', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const mutation$ = cold('-----m-m-----------m-----------', { m: mutation('bd-a1b2') });
      const signal$ = cold('  ----------------------T---------', signals);
      const expected = '      (xy)-a-a----e------a--(sfz|)';
      const deps = { ...SETTINGS, debounceMs: 5, maxWaitMs: 20, ...effects, scheduler };
      expectObservable(daemonPipeline(sources({ mutation$, signal$ }), deps)).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        a: mutated,
        e: exportDone(2),
        s: stopping(),
        f: exportDone(1),
        z: STOPPED,
      });
    });
  });

  it('should echo every input as an event and debounce a hook trigger together with the change it reports', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      const fileChange$ = cold<WatchEvent>('10ms c', { c: { kind: 'change', path: '.beads/issues.jsonl' } });
      const mutation$ = cold('              20ms m', { m: mutation('bd-a1b2') });
      const trigger$ = cold<SyncTrigger>('  30ms t', { t: { kind: 'import', reason: 'post-merge hook' } });
      const signal$ = cold('                40ms h', { h: 'SIGHUP' as const });
      const expected = '                    (xy) 6ms c 9ms m 9ms t 9ms h 479ms e 9ms i';
      const out$ = daemonPipeline(sources({ fileChange$, mutation$, trigger$, signal$ }), {
        ...SETTINGS,
        ...effects,
        scheduler,
      });
      expectObservable(out$).toBe(expected, {
        x: exportDone(1),
        y: importDone(1),
        c: { type: 'fs/changed', path: '.beads/issues.jsonl' },
        m: mutated,
        t: { type: 'sync/requested', kind: 'import', reason: 'post-merge hook' },
        h: { type: 'signal/ignored', signal: 'SIGHUP' },
        e: exportDone(1),
        i: importDone(2),
      });
    });
  });

  it('should see a source that emits synchronously on subscribe: SIGTERM at once stops after the start-up effects', () => {
    const scheduler = testScheduler();
    const effects = fakeEffects(scheduler);
    scheduler.run(({ expectObservable }) => {
      const expected = '(xysz|)';
      const out$ = daemonPipeline(sources({ signal$: of<DaemonSignal>('SIGTERM') }), {
        ...SETTINGS,
        ...effects,
        scheduler,
      });
      expectObservable(out$).toBe(expected, { x: exportDone(1), y: importDone(1), s: stopping(), z: STOPPED });
    });
  });
});
