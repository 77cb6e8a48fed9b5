import { from, lastValueFrom, toArray } from 'rxjs';
import { foldGitStatus, INITIAL_GIT_STATUS, onceWhileUnchanged, type GitEvent } from '../../src/git/effects/git-events';

describe('onceWhileUnchanged', () => {
  it('should drop a repeated git/waiting or git/disabled until something else happened', async () => {
    const w: GitEvent = { type: 'git/waiting', step: 'commit', reason: 'rebase', batched: 1 };
    const w2: GitEvent = { ...w, batched: 3 };
    const d: GitEvent = { type: 'git/disabled', reason: 'no upstream', batched: 1 };
    const c: GitEvent = { type: 'git/committed', sha: 'a', issues: 1, batched: 1 };
    const other = { type: 'export/done', batched: 1 } as unknown as GitEvent;
    const out = await lastValueFrom(from([w, w2, w, c, w, d, other, d, d]).pipe(onceWhileUnchanged(), toArray()));
    expect(out).toEqual([w, c, w, d, other]);
  });
});

describe('foldGitStatus', () => {
  it('should show the last commit and push, ahead/behind and the last error with its retry time', () => {
    let s = foldGitStatus(INITIAL_GIT_STATUS, { type: 'git/committed', sha: 'c1', issues: 3, batched: 1 }, 't1');
    s = foldGitStatus(s, { type: 'git/failed', step: 'fetch', code: '128', error: 'git fetch failed', retry_at: 't9', batched: 1 }, 't2');
    expect(s).toMatchObject({ last_commit: { sha: 'c1', at: 't1' }, state: 'failing', last_error: { step: 'fetch', error: 'git fetch failed', at: 't2', retry_at: 't9' } });
    s = foldGitStatus(s, { type: 'git/pushed', sha: 'c2', pulled: null, batched: 1 }, 't3');
    expect(s).toMatchObject({ last_push: { sha: 'c2', at: 't3' }, ahead: 0, behind: 0, state: 'idle', last_error: { step: 'fetch' } });
    s = foldGitStatus(s, { type: 'git/waiting', step: 'commit', reason: 'rebase', batched: 1 }, 't4');
    expect(s).toMatchObject({ state: 'waiting', reason: 'rebase' });
  });
});
