import { from, lastValueFrom, toArray } from 'rxjs';
import { foldGitStatus, gitEvents, gitFailedEvent, INITIAL_GIT_STATUS, onceWhileUnchanged, type GitEvent } from '../../src/git/effects/git-events';
import { GitStepError } from '../../src/git/effects/git-outcome';

describe('gitEvents', () => {
  it('should log a push that pulled first as git/pulled then git/pushed, and a skip as nothing', () => {
    const pulled = { kind: 'pulled' as const, ahead: 1, behind: 2, fastForwarded: false, merged: { merged: 1, kept_over_delete: ['x-1'], resolved_by_time: 0, deleted: 0 } };
    expect(gitEvents({ kind: 'pushed', sha: 'abc', pulled })).toEqual([
      { type: 'git/pulled', ahead: 1, behind: 2, fast_forward: false, merged: pulled.merged },
      { type: 'git/pushed', sha: 'abc' },
    ]);
    expect(gitEvents({ kind: 'skipped', step: 'commit', reason: 'no change' })).toEqual([]);
    expect(gitEvents({ kind: 'rejected', step: 'push', reason: 'fetch first' })).toEqual([
      { type: 'git/failed', step: 'push', code: 'rejected', error: 'push rejected (fetch first): fetching, merging and retrying' },
    ]);
  });

  it('should carry the step, code and next retry time of a failure', () => {
    expect(gitFailedEvent(new GitStepError('fetch', '128', 'git fetch failed'), 'push', new Date('2026-01-01T00:00:30Z'))).toEqual({
      type: 'git/failed', step: 'fetch', code: '128', error: 'git fetch failed', retry_at: '2026-01-01T00:00:30.000Z',
    });
  });
});

describe('onceWhileUnchanged', () => {
  it('should drop a repeated git/waiting or git/disabled until something else happened', async () => {
    const w: GitEvent = { type: 'git/waiting', step: 'commit', reason: 'rebase' };
    const d: GitEvent = { type: 'git/disabled', reason: 'no upstream' };
    const c: GitEvent = { type: 'git/committed', sha: 'a', issues: 1 };
    const out = await lastValueFrom(from([w, w, w, c, w, d, d, d]).pipe(onceWhileUnchanged(), toArray()));
    expect(out).toEqual([w, c, w, d]);
  });
});

describe('foldGitStatus', () => {
  it('should show the last commit and push, ahead/behind and the last error', () => {
    let s = foldGitStatus(INITIAL_GIT_STATUS, { type: 'git/committed', sha: 'c1', issues: 3 }, 't1');
    s = foldGitStatus(s, { type: 'git/failed', step: 'push', code: 'rejected', error: 'x' }, 't2');
    expect(s).toMatchObject({ last_commit: { sha: 'c1', at: 't1' }, state: 'failing', last_error: { step: 'push', error: 'x', at: 't2' } });
    s = foldGitStatus(s, { type: 'git/pushed', sha: 'c2' }, 't3');
    expect(s).toMatchObject({ last_push: { sha: 'c2', at: 't3' }, ahead: 0, behind: 0, state: 'idle', last_error: { step: 'push' } });
  });
});
