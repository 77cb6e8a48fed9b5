import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { Subscription } from 'rxjs';
import type { DaemonSignal } from '../../src/pipeline/daemon-sources';
import { signal$ } from '../../src/sources/signal';
import { waitFor } from '../helpers/wait-for';

/**
 * Jest hands each test file a copy of `process` that is a separate EventEmitter: signals reach
 * the host process only. This is the host one, so the listeners below are the ones node uses.
 */
const hostProcess = vm.runInThisContext('process') as NodeJS.Process;

const SIGNALS: DaemonSignal[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const listenerCounts = (emitter: EventEmitter): number[] => SIGNALS.map((s) => emitter.listenerCount(s));

describe('signal$', () => {
  let sub: Subscription | undefined;
  afterEach(() => sub?.unsubscribe());

  it('should turn real SIGHUP, SIGINT and SIGTERM sent to this process into values, without exiting', async () => {
    const before = listenerCounts(hostProcess);
    const seen: DaemonSignal[] = [];
    sub = signal$(hostProcess).subscribe((s) => seen.push(s));
    // Only send once our listeners are in place: without them each of these ends the jest worker.
    expect(listenerCounts(hostProcess)).toEqual(before.map((n) => n + 1));

    for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) {
      process.kill(hostProcess.pid, signal);
      await waitFor(() => seen.includes(signal), 5000, `${signal} to arrive`);
    }

    expect(seen).toEqual(['SIGHUP', 'SIGINT', 'SIGTERM']);
  });

  it('should remove exactly its own listeners on unsubscribe', () => {
    const before = listenerCounts(hostProcess);
    const other = (): void => undefined;
    hostProcess.on('SIGHUP', other);
    try {
      const first = signal$(hostProcess).subscribe();
      const second = signal$(hostProcess).subscribe();
      expect(listenerCounts(hostProcess)).toEqual([before[0] + 2, before[1] + 2, before[2] + 3]);

      first.unsubscribe();
      expect(listenerCounts(hostProcess)).toEqual([before[0] + 1, before[1] + 1, before[2] + 2]);
      second.unsubscribe();
      second.unsubscribe();
      expect(listenerCounts(hostProcess)).toEqual([before[0], before[1], before[2] + 1]);
      expect(hostProcess.listeners('SIGHUP')).toContain(other);
    } finally {
      hostProcess.off('SIGHUP', other);
    }
  });

  it('should keep a daemon alive on signals while subscribed, and let SIGHUP end it once unsubscribed', async () => {
    // A real daemon-like process using the default argument, `process`, outside jest's sandbox.
    const source = path.resolve(__dirname, '../../src/sources/signal.ts');
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-e',
        `const { signal$ } = require(${JSON.stringify(source)});
         const keepAlive = setInterval(() => undefined, 60000);
         const sub = signal$().subscribe((s) => {
           console.log(s);
           if (s === 'SIGTERM') { sub.unsubscribe(); console.log('unsubscribed'); }
         });
         console.log('ready');`,
      ],
      { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const lines = (): string[] => out.split('\n').filter(Boolean);

    try {
      await waitFor(() => lines().includes('ready'), 20000, 'the child to subscribe');
      for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) {
        child.kill(signal);
        await waitFor(() => lines().includes(signal), 5000, `the child to report ${signal}`);
      }
      await waitFor(() => lines().includes('unsubscribed'), 5000, 'the child to unsubscribe');
      expect(child.exitCode).toBeNull();

      child.kill('SIGHUP');

      expect(await exited).toEqual({ code: null, signal: 'SIGHUP' });
      expect(lines()).toEqual(['ready', 'SIGHUP', 'SIGINT', 'SIGTERM', 'unsubscribed']);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('should listen on the emitter it is given', () => {
    const proc = new EventEmitter();
    const seen: DaemonSignal[] = [];
    sub = signal$(proc).subscribe((s) => seen.push(s));

    proc.emit('SIGTERM');
    proc.emit('SIGUSR2');

    expect(seen).toEqual(['SIGTERM']);
    sub.unsubscribe();
    expect(listenerCounts(proc)).toEqual([0, 0, 0]);
  });
});
