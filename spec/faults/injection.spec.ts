import * as fs from 'node:fs';
import * as path from 'node:path';
import { issueLine, useDaemons } from '../helpers/daemon-process';
import { WAIT, jsonlIds, waitForJsonlIds } from '../helpers/real-daemon';
import { runCli, runCliOk } from '../helpers/run-cli';
import { git, gitOk, testEnv, useGitSandboxes } from '../git/git-repos';

/**
 * Fault 10, injection: ids (pulled from a teammate's JSONL, which accepts any string id) and
 * workspace paths holding spaces, quotes, a newline, `$()` and a leading `-` reach no shell and
 * no option parser: not the CLI's arguments, not the git adapter, not the hook scripts, not the
 * merge driver. A `$(touch PWNED)` that ran anywhere would leave a file named PWNED.
 */

const EVIL_IDS = ['-rf', 't-$(touch PWNED)', 't-a b', `t-'q"`, 't-nl\nx', '--json', 't-`touch PWNED`'];
/** A directory name with every hazard at once (a leading `-`, `$()`, quotes, a newline, glob characters). */
const EVIL_DIR = `-w $(touch PWNED) 'q' "d"\nnl [*]`;

function pwned(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'PWNED') found.push(path.join(dir, e.name));
      if (e.isDirectory() && e.name !== '.git') walk(path.join(dir, e.name));
    }
  };
  walk(root);
  return found;
}

describe('fault 10: no shell or option injection from ids or paths', () => {
  const { workspace, start } = useDaemons();
  const sandbox = useGitSandboxes();
  jest.setTimeout(90_000);

  it('should show, update, label and close pulled ids with spaces, quotes, newlines, $() and a leading - as plain arguments (after --), with and without a daemon', async () => {
    const ws = workspace({ lines: EVIL_IDS.map((id) => issueLine(id, { title: `title of ${id}` })) });
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: ws.root, env });
    for (const env of [{}, { BD_RX_NO_FAST_PATH: '1' }]) {
      const shown = run(['show', '--json', '--', ...EVIL_IDS], env);
      expect(shown.code).toBe(0);
      expect((shown.json as Array<{ id: string; title: string }>).map((i) => [i.id, i.title])).toEqual(EVIL_IDS.map((id) => [id, `title of ${id}`]));
    }
    expect(run(['update', '--priority', '0', '--', '-rf']).code).toBe(0);
    expect(run(['label', 'add', '--', '--json', '-l']).code).toBe(0);
    const d = start({ cwd: ws.root, args: ['--debounce-ms', '50', '--max-wait-ms', '500'] });
    await d.waitUntilWatching();
    expect(run(['close', '--reason', '$(touch PWNED)', '--', 't-$(touch PWNED)', 't-`touch PWNED`']).code).toBe(0);
    // A value that starts with `-` is taken in the `--opt=value` form; as a separate word it is a usage error that changes nothing.
    expect(run(['update', '--title', '-rf renamed', '--', 't-nl\nx']).code).toBe(2);
    expect(run(['update', '--title=-rf renamed', '--', 't-nl\nx']).code).toBe(0);
    const after = run(['show', '--json', '--', '-rf', '--json', 't-$(touch PWNED)', 't-nl\nx']).json as Array<Record<string, unknown>>;
    expect(after.map((i) => [i.id, i.priority, i.labels ?? [], i.status, i.close_reason ?? null, i.title])).toEqual([
      ['-rf', 0, [], 'open', null, 'title of -rf'],
      ['--json', 2, ['-l'], 'open', null, 'title of --json'],
      ['t-$(touch PWNED)', 2, [], 'closed', '$(touch PWNED)', 'title of t-$(touch PWNED)'],
      ['t-nl\nx', 2, [], 'open', null, '-rf renamed'],
    ]);
    await d.stop();
    expect(jsonlIds(ws.jsonlPath).sort()).toEqual([...EVIL_IDS].sort());
    expect(pwned(ws.root)).toEqual([]);
  });

  it('should run init, hooks, a commit through the pre-commit hook, the merge driver and the daemon with git sync in a workspace path full of shell and option hazards', async () => {
    const s = sandbox('inject');
    const env = testEnv(s.bin);
    const clone = (name: string) => {
      const top = s.clone(name);
      const ws = path.join(top, EVIL_DIR);
      fs.mkdirSync(ws, { recursive: true });
      return { top, ws };
    };
    const a = clone('a');
    runCliOk(['init', '--prefix', 't', '--hooks'], { cwd: a.ws, env });
    const one = runCliOk(['create', 'made in A', '--json'], { cwd: a.ws, env }).json.id as string;
    gitOk(a.top, ['add', '-A'], env);
    // The pre-commit hook runs `bd-rx -C <the path> export` and stages the JSONL.
    gitOk(a.top, ['commit', '--quiet', '-m', 'workspace'], env);
    const rel = `${EVIL_DIR}/.beads/issues.jsonl`;
    expect(gitOk(a.top, ['--literal-pathspecs', 'ls-files', '-z', '--', rel]).split('\0')).toContain(rel);
    gitOk(a.top, ['push', '--quiet', 'origin', 'HEAD:main'], env);

    const b = clone('b');
    runCliOk(['init', '--prefix', 't', '--hooks'], { cwd: b.ws, env });
    // Both sides add an issue: git pull merges the JSONL through `bd-rx merge %A %O %A %B`.
    const two = runCliOk(['create', 'made in A later', '--json'], { cwd: a.ws, env }).json.id as string;
    gitOk(a.top, ['commit', '--quiet', '-am', 'a'], env);
    gitOk(a.top, ['push', '--quiet', 'origin', 'HEAD:main'], env);
    const three = runCliOk(['create', 'made in B', '--json'], { cwd: b.ws, env }).json.id as string;
    gitOk(b.top, ['commit', '--quiet', '-am', 'b'], env);
    const pulled = git(b.top, ['pull', '--no-rebase', '--no-edit'], env);
    expect(pulled.code).toBe(0);
    const merged = fs.readFileSync(path.join(b.ws, '.beads', 'issues.jsonl'), 'utf8');
    expect(merged).not.toMatch(/^(<{7}|={7}|>{7})/m);
    expect(jsonlIds(path.join(b.ws, '.beads', 'issues.jsonl')).sort()).toEqual([one, two, three].sort());

    // A daemon with auto-sync in that path: its commit and push name the file as one argument.
    const d = start({ cwd: b.ws, args: ['--auto-sync', '--remote-sync-interval', '1s', '--debounce-ms', '50', '--max-wait-ms', '500'], env });
    await d.waitUntilWatching();
    const mark = d.mark();
    const four = runCliOk(['create', 'through the daemon', '--json'], { cwd: b.ws, env }).json.id as string;
    await d.waitForEvent((e) => e.type === 'git/pushed', WAIT, mark);
    gitOk(a.top, ['pull', '--quiet', '--no-rebase'], env);
    await waitForJsonlIds(path.join(a.ws, '.beads', 'issues.jsonl'), [one, two, three, four]);
    expect(d.all('git/failed')).toEqual([]);
    expect(pwned(s.root)).toEqual([]);
  });
});
