import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDaemon, type DaemonProcess } from '../helpers/daemon-process';
import { runCli, runCliOk } from '../helpers/run-cli';
import { gitOk, git, testEnv, useGitSandboxes } from '../git/git-repos';

const HOOKS = ['pre-commit', 'post-merge', 'post-checkout', 'post-rewrite'];

/** Every file under `dir` with its mode and content, to compare a tree before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = fs.statSync(p);
    if (st.isFile()) out[name] = `${(st.mode & 0o777).toString(8)} ${fs.readFileSync(p, 'utf8')}`;
  }
  return out;
}

describe('bd-rx hooks', () => {
  const sandbox = useGitSandboxes();
  const daemons: DaemonProcess[] = [];
  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.kill();
  });

  /** A clone with a bd-rx workspace committed in it (at `sub`, when given). */
  function workspace(sub = ''): { s: ReturnType<typeof sandbox>; top: string; ws: string; env: NodeJS.ProcessEnv } {
    const s = sandbox('hooks');
    const top = s.clone('a');
    const ws = path.join(top, sub);
    fs.mkdirSync(ws, { recursive: true });
    const env = testEnv(s.bin);
    runCliOk(['init', '--prefix', 't', '--no-hooks'], { cwd: ws, env });
    gitOk(top, ['add', '-A']);
    gitOk(top, ['commit', '--quiet', '-m', 'workspace']);
    return { s, top, ws, env };
  }

  it('should install the four hooks, the attribute line and the driver config, and list them', () => {
    const { top, ws, env } = workspace();
    const r = runCliOk(['hooks', 'install', '--json'], { cwd: ws, env });
    expect(r.json.hooks.map((h: { action: string }) => h.action)).toEqual(['created', 'created', 'created', 'created']);
    expect(fs.readFileSync(path.join(ws, '.gitattributes'), 'utf8')).toBe('.beads/issues.jsonl merge=bd-rx\n');
    expect(gitOk(top, ['config', 'merge.bd-rx.driver'])).toBe('bd-rx merge %A %O %A %B\n');
    expect(gitOk(top, ['check-attr', 'merge', '--', '.beads/issues.jsonl'])).toBe('.beads/issues.jsonl: merge: bd-rx\n');
    for (const h of HOOKS) expect(fs.statSync(path.join(top, '.git', 'hooks', h)).mode & 0o111).toBe(0o111);
    const list = runCliOk(['hooks', 'list', '--json'], { cwd: ws, env }).json;
    expect(list.hooks.map((h: { state: string }) => h.state)).toEqual(['installed', 'installed', 'installed', 'installed']);
    expect(list.merge_driver.configured).toBe(true);
    expect(runCliOk(['hooks', 'list'], { cwd: ws, env }).stdout).toContain('post-rewrite  installed');
  });

  it('should change nothing when run twice', () => {
    const { top, ws, env } = workspace();
    runCliOk(['hooks', 'install'], { cwd: ws, env });
    const hooks = snapshot(path.join(top, '.git', 'hooks'));
    const config = fs.readFileSync(path.join(top, '.git', 'config'), 'utf8');
    const again = runCliOk(['hooks', 'install', '--json'], { cwd: ws, env }).json;
    expect(again).toEqual({ hooks: HOOKS.map((name) => ({ name, action: 'unchanged' })), attributes: 'unchanged', driver: 'unchanged' });
    expect(snapshot(path.join(top, '.git', 'hooks'))).toEqual(hooks);
    expect(fs.readFileSync(path.join(top, '.git', 'config'), 'utf8')).toBe(config);
    expect(fs.readFileSync(path.join(ws, '.gitattributes'), 'utf8')).toBe('.beads/issues.jsonl merge=bd-rx\n');
  });

  it('should chain an existing hook: it still runs, first, and its failure still stops the commit', () => {
    const { top, ws, env } = workspace();
    const hooksDir = path.join(top, '.git', 'hooks');
    fs.writeFileSync(path.join(hooksDir, 'pre-commit'), '#!/bin/sh\necho ran >> "$(git rev-parse --git-dir)/earlier-pre-commit"\n[ ! -f STOP ]\n', { mode: 0o755 });
    const r = runCliOk(['hooks', 'install', '--json'], { cwd: ws, env });
    expect(r.json.hooks[0]).toEqual({ name: 'pre-commit', action: 'chained' });
    fs.writeFileSync(path.join(top, 'STOP'), '');
    gitOk(top, ['add', 'STOP']);
    const refused = git(top, ['commit', '-m', 'stopped'], env);
    expect(refused.code).not.toBe(0);
    fs.rmSync(path.join(top, 'STOP'));
    gitOk(top, ['add', '-A'], env);
    gitOk(top, ['commit', '--quiet', '-m', 'goes through'], env);
    expect(fs.readFileSync(path.join(top, '.git', 'earlier-pre-commit'), 'utf8')).toBe('ran\nran\n');
    expect(gitOk(top, ['log', '--format=%s', '-1'])).toBe('goes through\n');
  });

  it('should export and stage the JSONL before a commit', () => {
    const { top, ws, env } = workspace();
    runCliOk(['hooks', 'install'], { cwd: ws, env });
    runCliOk(['create', 'Staged by the hook', '--json'], { cwd: ws, env });
    fs.writeFileSync(path.join(top, 'notes.txt'), 'x\n');
    gitOk(top, ['add', 'notes.txt']);
    gitOk(top, ['commit', '--quiet', '-m', 'notes'], env);
    expect(gitOk(top, ['show', '--name-only', '--format=', 'HEAD']).split('\n').filter(Boolean).sort()).toEqual(['.beads/issues.jsonl', 'notes.txt']);
    expect(gitOk(top, ['show', 'HEAD:.beads/issues.jsonl'])).toContain('Staged by the hook');
  });

  it('should work for a workspace in a sub-directory whose name holds spaces, quotes and $()', () => {
    const sub = `odd dir 'q' "dq" $(touch pwned) -x`;
    const { top, ws, env } = workspace(sub);
    runCliOk(['hooks', 'install'], { cwd: ws, env });
    runCliOk(['create', 'In the odd dir'], { cwd: ws, env });
    fs.writeFileSync(path.join(top, 'notes.txt'), 'x\n');
    gitOk(top, ['add', 'notes.txt']);
    gitOk(top, ['commit', '--quiet', '-m', 'notes'], env);
    expect(gitOk(top, ['show', '--name-only', '--format=', '-z', 'HEAD']).split('\0').filter(Boolean).sort()).toEqual([`${sub}/.beads/issues.jsonl`, 'notes.txt'].sort());
    expect(fs.existsSync(path.join(top, 'pwned'))).toBe(false);
    expect(gitOk(top, ['check-attr', '-z', 'merge', '--', `${sub}/.beads/issues.jsonl`]).split('\0')[2]).toBe('bd-rx');
  });

  it('should exit 0 from every hook when bd-rx is not on PATH', () => {
    const { top, ws, env } = workspace();
    runCliOk(['hooks', 'install'], { cwd: ws, env });
    const noBdRx = testEnv(undefined, { PATH: '/usr/local/bin:/usr/bin:/bin' });
    expect(spawnSync('sh', ['-c', 'command -v bd-rx'], { env: noBdRx }).status).not.toBe(0);
    for (const h of HOOKS) {
      const r = spawnSync(path.join(top, '.git', 'hooks', h), ['0000', '1111', '1'], { cwd: top, env: noBdRx, input: '' });
      expect({ hook: h, status: r.status }).toEqual({ hook: h, status: 0 });
    }
    fs.writeFileSync(path.join(top, 'notes.txt'), 'x\n');
    gitOk(top, ['add', 'notes.txt']);
    gitOk(top, ['commit', '--quiet', '-m', 'without bd-rx'], noBdRx);
    gitOk(top, ['checkout', '--quiet', '-b', 'other'], noBdRx);
    expect(gitOk(top, ['log', '--format=%s', '-1'])).toBe('without bd-rx\n');
  });

  it('should ask a running daemon to import after a branch checkout, a merge and a rebase', async () => {
    const { top, ws, env } = workspace();
    runCliOk(['hooks', 'install'], { cwd: ws, env });
    gitOk(top, ['add', '-A']);
    gitOk(top, ['commit', '--quiet', '-m', 'hooks'], env);
    const d = startDaemon({ cwd: ws, env });
    daemons.push(d);
    await d.waitUntilWatching();
    const requests = () => d.count((e) => e.type === 'sync/requested' && e.kind === 'import' && e.reason === 'rpc');
    gitOk(top, ['checkout', '--quiet', '-b', 'side'], env);
    await d.waitForEvent((e) => e.type === 'sync/requested' && e.reason === 'rpc', 15_000);
    expect(requests()).toBe(1);
    fs.writeFileSync(path.join(top, 'f.txt'), 'f\n');
    gitOk(top, ['add', 'f.txt']);
    gitOk(top, ['commit', '--quiet', '--no-verify', '-m', 'f'], env);
    gitOk(top, ['checkout', '--quiet', 'main'], env);
    gitOk(top, ['merge', '--quiet', '--no-edit', 'side'], env);
    gitOk(top, ['commit', '--quiet', '--no-verify', '--amend', '-m', 'f amended'], env);
    // A checkout of a file is not a branch checkout: no request.
    gitOk(top, ['checkout', '--quiet', 'HEAD', '--', 'f.txt'], env);
    await d.waitForQuiet((e) => e.type === 'sync/requested', 1000, 15_000);
    // checkout -b, checkout main, merge (fast-forward), amend (post-rewrite).
    expect(requests()).toBe(4);
  }, 120_000);

  it('should uninstall exactly what install added, putting chained hooks back', () => {
    const { top, ws, env } = workspace();
    const hooksDir = path.join(top, '.git', 'hooks');
    fs.writeFileSync(path.join(hooksDir, 'post-merge'), '#!/usr/bin/env python3\nprint("mine")\n', { mode: 0o750 });
    fs.writeFileSync(path.join(ws, '.gitattributes'), '*.png binary\n');
    gitOk(top, ['config', 'merge.bd-rx.recursive', 'binary']);
    const hooksBefore = snapshot(hooksDir);
    const configBefore = fs.readFileSync(path.join(top, '.git', 'config'), 'utf8');
    runCliOk(['hooks', 'install'], { cwd: ws, env });
    expect(fs.readFileSync(path.join(ws, '.gitattributes'), 'utf8')).toBe('*.png binary\n.beads/issues.jsonl merge=bd-rx\n');
    const r = runCliOk(['hooks', 'uninstall', '--json'], { cwd: ws, env }).json;
    expect(r.hooks.map((h: { action: string }) => h.action)).toEqual(['removed', 'restored', 'removed', 'removed']);
    expect(snapshot(hooksDir)).toEqual(hooksBefore);
    expect(fs.readFileSync(path.join(ws, '.gitattributes'), 'utf8')).toBe('*.png binary\n');
    expect(fs.readFileSync(path.join(top, '.git', 'config'), 'utf8')).toBe(configBefore);
    expect(runCliOk(['hooks', 'list', '--json'], { cwd: ws, env }).json.hooks.map((h: { state: string }) => h.state)).toEqual(['missing', 'other', 'missing', 'missing']);
  });

  it('should refuse, changing nothing, outside a git work tree', () => {
    const s = sandbox('nogit');
    const dir = path.join(s.root, 'plain');
    fs.mkdirSync(dir);
    runCliOk(['init', '--prefix', 't'], { cwd: dir });
    const r = runCli(['hooks', 'install'], { cwd: dir, env: testEnv(s.bin) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not in a git work tree');
    expect(fs.existsSync(path.join(dir, '.gitattributes'))).toBe(false);
  });

  describe('bd-rx init', () => {
    it('should install the hooks with --hooks, offer them by default and stay quiet with --no-hooks', () => {
      const s = sandbox('init');
      const env = testEnv(s.bin);
      const a = s.clone('a');
      expect(runCliOk(['init', '--prefix', 't'], { cwd: a, env }).stdout).toContain('`bd-rx hooks install`');
      const b = s.clone('b');
      expect(runCliOk(['init', '--prefix', 't', '--no-hooks'], { cwd: b, env }).stdout).not.toContain('hooks');
      expect(fs.existsSync(path.join(b, '.git', 'hooks', 'post-merge'))).toBe(false);
      const c = s.clone('c');
      const r = runCliOk(['init', '--prefix', 't', '--hooks', '--json'], { cwd: c, env }).json;
      expect(r.hooks.attributes).toBe('added');
      expect(runCliOk(['hooks', 'list', '--json'], { cwd: c, env }).json.merge_driver.configured).toBe(true);
    });
  });
});
