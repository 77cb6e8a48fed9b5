import * as path from 'node:path';
import { createIssue, FIXTURES, initWorkspace, makeTempDir, removeDir, runCli, runCliOk } from '../helpers/run-cli';

/**
 * `list`, `ready`, `blocked`, `stats` and `show` parse their arguments with node:util's parseArgs
 * instead of loading yargs. Each case runs twice, with the fast path and with it turned off
 * (BD_RX_NO_FAST_PATH=1, i.e. yargs), and the two runs must agree on exit code and output.
 */
describe('bd-rx fast path for read commands', () => {
  let ws: string;
  let a: string;
  let b: string;
  beforeAll(() => {
    ws = initWorkspace(makeTempDir('fast'), 'fp');
    a = createIssue(ws, 'Alpha <a> & b', '-p', '1', '-t', 'bug', '-l', 'x,y', '-a', 'ann').id;
    b = createIssue(ws, 'Beta', '-p', '3', '-l', 'y').id;
    runCliOk(['dep', 'add', b, a], { cwd: ws });
  });
  afterAll(() => removeDir(ws));

  const both = (args: string[]) => {
    const fast = runCli(args, { cwd: ws });
    const slow = runCli(args, { cwd: ws, env: { BD_RX_NO_FAST_PATH: '1' } });
    return { fast, slow };
  };

  const same: Array<() => string[]> = [
    () => ['list', '--json'],
    () => ['list'],
    () => ['list', '--status', 'open', '-p', '1', '--json'],
    () => ['list', '-p1', '--type=bug', '--json'],
    () => ['list', '-l', 'y', '--label', 'x', '--json'],
    () => ['list', '--label-any', 'x,z', '-n', '1', '--json'],
    // bd's list has --title, not -q/--query (-q is bd's global --quiet).
    () => ['list', '--title', 'alp', '-a', 'ann', '--json'],
    () => ['list', '--no-daemon', '--json'],
    () => ['ready', '--json'],
    () => ['ready', '-p', '1'],
    () => ['blocked', '--json'],
    () => ['stats', '--json'],
    () => ['show', a, b, '--json'],
    () => ['show', b],
    () => ['-C', ws, 'list', '--json'],
  ];

  it.each(same.map((f, i) => [i, f]))('should print exactly what yargs does for case %i', (_i, f) => {
    const args = (f as () => string[])();
    const { fast, slow } = both(args);
    expect(fast.code).toBe(0);
    expect(fast.code).toBe(slow.code);
    expect(fast.stdout).toBe(slow.stdout);
    expect(fast.stderr).toBe(slow.stderr);
  });

  it('should name a priority that is not a number the same way (a usage error: exit 2)', () => {
    const { fast, slow } = both(['list', '-p', 'high']);
    expect(fast.code).toBe(2);
    expect(fast.stderr).toContain('The priority "high" is not a number.');
    expect(fast.stderr).toBe(slow.stderr);
  });

  it('should leave what it does not understand to yargs: unknown options, stray arguments, help, a missing id', () => {
    for (const args of [['list', '--bogus'], ['list', 'extra'], ['show'], ['list', '--labelAny', 'x', '--json'], ['list', '--help']]) {
      const { fast, slow } = both(args);
      expect({ args, code: fast.code, stdout: fast.stdout, stderr: fast.stderr }).toEqual({
        args,
        code: slow.code,
        stdout: slow.stdout,
        stderr: slow.stderr,
      });
    }
    expect(runCli(['list', '--bogus'], { cwd: ws }).code).toBe(2);
    expect(runCli(['show'], { cwd: ws }).code).toBe(2);
  });

  it('should report an unknown id the same way on both paths (on stderr; bd skips it and exits 0)', () => {
    const { fast, slow } = both(['show', 'fp-nope']);
    expect(fast.code).toBe(0);
    expect(slow.code).toBe(0);
    expect(fast.stdout).toBe('');
    expect(fast.stderr).toContain('fp-nope');
    expect(fast.stderr).toBe(slow.stderr);
  });

  it('should import the same way on both paths (into two fresh workspaces: the report, the issues, bd flags refused alike)', () => {
    const file = path.join(FIXTURES, 'steveyegge__beads__issues__20251120-8e05847.jsonl');
    const dir = makeTempDir('fast-import');
    try {
      const fastWs = initWorkspace(path.join(dir, 'fast'), 'fi');
      const slowWs = initWorkspace(path.join(dir, 'slow'), 'fi');
      const fast = runCli(['import', '-i', file, '--json'], { cwd: fastWs });
      const slow = runCli(['import', '-i', file, '--json'], { cwd: slowWs, env: { BD_RX_NO_FAST_PATH: '1' } });
      expect(fast.code).toBe(0);
      const report = (r: { stdout: string }) => {
        const { ms: _ms, ...rest } = JSON.parse(r.stdout) as Record<string, unknown>;
        return rest;
      };
      expect(report(fast)).toEqual(report(slow));
      expect(report(fast)).toMatchObject({ created: expect.any(Number) });
      const list = (cwd: string) => runCliOk(['list', '--all', '--limit', '0', '--json'], { cwd }).stdout;
      expect(list(fastWs)).toBe(list(slowWs));
      for (const args of [['import', '-i', file, '--dry-run'], ['import', '--orphan-handling', 'strict'], ['import', '-i'], ['import', 'stray']]) {
        const a = runCli(args, { cwd: fastWs });
        const b = runCli(args, { cwd: fastWs, env: { BD_RX_NO_FAST_PATH: '1' } });
        expect({ args, code: a.code, stdout: a.stdout, stderr: a.stderr }).toEqual({ args, code: b.code, stdout: b.stdout, stderr: b.stderr });
        expect(a.code).not.toBe(0);
      }
    } finally {
      removeDir(dir);
    }
  });
});
