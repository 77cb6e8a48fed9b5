import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { git$, gitText$ } from './git-cli';
import { gitRepo$, isGitRepo, type GitRepo } from './git-repo';
import { CHAINED_SUFFIX, HOOK_MARKER, HOOK_NAMES, hookScript, type HookName } from './hook-scripts';

export const ATTRIBUTE_LINE = '.beads/issues.jsonl merge=bd-rx';
export const DRIVER_CONFIG = {
  'merge.bd-rx.driver': 'bd-rx merge %A %O %A %B',
  'merge.bd-rx.name': 'bd-rx JSONL merge driver',
} as const;

/** `installed`: ours and current; `outdated`: ours, an older text; `other`: a hook that is not bd-rx's. */
export type HookState = 'installed' | 'outdated' | 'missing' | 'other';

export interface HooksStatus {
  repo: GitRepo;
  hooks: Array<{ name: HookName; path: string; state: HookState; chained: boolean }>;
  attributes: { path: string; present: boolean };
  driver: { configured: boolean; values: Record<string, string | null> };
}

export interface HooksChange {
  hooks: Array<{ name: HookName; action: 'created' | 'chained' | 'updated' | 'unchanged' | 'removed' | 'restored' | 'absent' | 'left-alone' }>;
  attributes: 'added' | 'removed' | 'unchanged';
  driver: 'set' | 'removed' | 'unchanged';
}

/** Hooks cannot be (un)installed here; nothing was changed. */
export class HooksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HooksError';
  }
}

async function repoFor(workspaceRoot: string): Promise<GitRepo> {
  const r = await lastValueFrom(gitRepo$(workspaceRoot));
  if (!isGitRepo(r)) throw new HooksError(`${workspaceRoot} is not in a git work tree (${r.reason}): run \`git init\` first, or skip the hooks`);
  return r;
}

/** The workspace relative to the top of the work tree, `/`-separated ('' at the top). */
function workspaceRel(repo: GitRepo, workspaceRoot: string): string {
  const rel = path.relative(fs.realpathSync(repo.topLevel), fs.realpathSync(workspaceRoot));
  if (rel.startsWith('..')) throw new HooksError(`${workspaceRoot} is outside the work tree ${repo.topLevel}`);
  return rel.split(path.sep).join('/');
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

async function getConfig(repo: GitRepo, key: string): Promise<string | null> {
  const out = await lastValueFrom(git$(['config', '--local', '--get', key], { cwd: repo.topLevel, okCodes: [0, 1] }));
  return out.code === 0 ? out.stdout.toString('utf8').replace(/\n$/, '') : null;
}

/** Where bd-rx's hooks, attributes and merge-driver config stand in the repository holding the workspace. */
export async function hooksStatus(workspaceRoot: string): Promise<HooksStatus> {
  const repo = await repoFor(workspaceRoot);
  const rel = workspaceRel(repo, workspaceRoot);
  const hooks = HOOK_NAMES.map((name) => {
    const file = path.join(repo.hooksDir, name);
    const text = readOrNull(file);
    const state: HookState = text === null ? 'missing' : !text.includes(HOOK_MARKER) ? 'other' : text === hookScript(name, rel) ? 'installed' : 'outdated';
    return { name, path: file, state, chained: fs.existsSync(file + CHAINED_SUFFIX) };
  });
  const attrPath = path.join(workspaceRoot, '.gitattributes');
  const attrs = readOrNull(attrPath);
  const values: Record<string, string | null> = {};
  for (const key of Object.keys(DRIVER_CONFIG)) values[key] = await getConfig(repo, key);
  return {
    repo,
    hooks,
    attributes: { path: attrPath, present: attrs !== null && attrs.split('\n').includes(ATTRIBUTE_LINE) },
    driver: { configured: Object.entries(DRIVER_CONFIG).every(([k, v]) => values[k] === v), values },
  };
}

/**
 * Installs the merge driver (attribute + config) and the four hooks. A hook that is already
 * there and not bd-rx's is kept as `NAME.bd-rx-chained`, which ours runs first. Running it
 * again changes nothing.
 */
export async function installHooks(workspaceRoot: string): Promise<HooksChange> {
  const status = await hooksStatus(workspaceRoot);
  const rel = workspaceRel(status.repo, workspaceRoot);
  const blocked = status.hooks.filter((h) => h.state === 'other' && h.chained);
  if (blocked.length > 0) {
    throw new HooksError(
      `${blocked.map((h) => h.path).join(', ')}: not bd-rx's, and ${blocked[0].name}${CHAINED_SUFFIX} is already taken. ` +
        'Move one of the two away, then run `bd-rx hooks install` again. Nothing was changed.',
    );
  }
  fs.mkdirSync(status.repo.hooksDir, { recursive: true });
  const change: HooksChange = { hooks: [], attributes: 'unchanged', driver: 'unchanged' };
  for (const h of status.hooks) {
    if (h.state === 'installed') {
      change.hooks.push({ name: h.name, action: 'unchanged' });
      continue;
    }
    if (h.state === 'other') fs.renameSync(h.path, h.path + CHAINED_SUFFIX);
    fs.writeFileSync(h.path, hookScript(h.name, rel), { mode: 0o755 });
    fs.chmodSync(h.path, 0o755);
    change.hooks.push({ name: h.name, action: h.state === 'other' ? 'chained' : h.state === 'outdated' ? 'updated' : 'created' });
  }
  if (!status.attributes.present) {
    const old = readOrNull(status.attributes.path) ?? '';
    fs.writeFileSync(status.attributes.path, `${old}${old === '' || old.endsWith('\n') ? '' : '\n'}${ATTRIBUTE_LINE}\n`);
    change.attributes = 'added';
  }
  for (const [key, value] of Object.entries(DRIVER_CONFIG)) {
    if (status.driver.values[key] === value) continue;
    await lastValueFrom(git$(['config', '--local', key, value], { cwd: status.repo.topLevel }));
    change.driver = 'set';
  }
  return change;
}

/**
 * Removes what `installHooks` added: our hooks (putting back the ones they chained), the
 * attribute line (the file too, if nothing else is left in it) and the driver config.
 * Hooks that are not bd-rx's are left alone.
 */
export async function uninstallHooks(workspaceRoot: string): Promise<HooksChange> {
  const status = await hooksStatus(workspaceRoot);
  const change: HooksChange = { hooks: [], attributes: 'unchanged', driver: 'unchanged' };
  for (const h of status.hooks) {
    if (h.state === 'other') {
      change.hooks.push({ name: h.name, action: 'left-alone' });
      continue;
    }
    if (h.state !== 'missing') fs.rmSync(h.path);
    if (h.chained) fs.renameSync(h.path + CHAINED_SUFFIX, h.path);
    change.hooks.push({ name: h.name, action: h.chained ? 'restored' : h.state === 'missing' ? 'absent' : 'removed' });
  }
  const attrs = readOrNull(status.attributes.path);
  if (attrs !== null && status.attributes.present) {
    const rest = attrs.split('\n').filter((l) => l !== ATTRIBUTE_LINE).join('\n');
    if (rest.trim() === '') fs.rmSync(status.attributes.path);
    else fs.writeFileSync(status.attributes.path, rest);
    change.attributes = 'removed';
  }
  for (const [key, value] of Object.entries(DRIVER_CONFIG)) {
    if (status.driver.values[key] !== value) continue;
    await lastValueFrom(git$(['config', '--local', '--unset', key], { cwd: status.repo.topLevel }));
    change.driver = 'removed';
  }
  if (change.driver === 'removed') {
    const left = await lastValueFrom(gitText$(['config', '--local', '--get-regexp', '^merge\\.bd-rx\\.'], { cwd: status.repo.topLevel, okCodes: [0, 1] }));
    if (left === '') await lastValueFrom(git$(['config', '--local', '--remove-section', 'merge.bd-rx'], { cwd: status.repo.topLevel, okCodes: [0, 1, 3, 128] }));
  }
  return change;
}
