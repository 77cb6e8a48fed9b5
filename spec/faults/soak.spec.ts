import { runSoak } from '../../scripts/soak';

/**
 * Issue 10, soak: the CI-sized (30 s) run of scripts/soak.ts, same code as the 10-minute run in
 * BENCHMARKS.md: a real daemon under RPC writers, outside JSONL edits, SIGHUP and a restart.
 */

jest.setTimeout(120_000);

describe('soak', () => {
  it('should keep DB ≡ JSONL, every acknowledged write, flat RSS and fds, and no error events over 30 s', async () => {
    const lines: string[] = [];
    const result = await runSoak(30_000, (s) => lines.push(s));
    const failed = result.rows.filter((r) => !r[2]).map((r) => `${r[0]}: ${r[1]}`);
    expect({ failed, log: failed.length ? lines.join('\n') : '' }).toEqual({ failed: [], log: '' });
    expect(result.pass).toBe(true);
  });
});
