import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attributePattern } from '../../src/git/attribute-pattern';
import { gitOk } from './git-repos';

/** What git itself reads from the pattern: `git check-attr` with the pattern as the only attribute file. */
function matched(top: string, pattern: string, paths: string[]): string[] {
  const file = path.join(top, '.git', 'test.attributes');
  fs.writeFileSync(file, `${pattern} merge=binary\n`);
  const out = gitOk(top, ['-c', `core.attributesFile=${file}`, 'check-attr', '-z', 'merge', '--', ...paths]).split('\0');
  const hits: string[] = [];
  for (let i = 0; i + 2 < out.length; i += 3) if (out[i + 2] === 'binary') hits.push(out[i]);
  return hits;
}

describe('attributePattern', () => {
  let top: string;
  beforeEach(() => {
    top = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bd-rx-attr-')));
    gitOk(top, ['init', '--quiet']);
  });
  afterEach(() => fs.rmSync(top, { recursive: true, force: true }));

  it.each([
    ['.beads/issues.jsonl'],
    ['my dir/.beads/issues.jsonl'],
    ['a*b/[x]/?/.beads/issues.jsonl'],
    [`-w $(touch PWNED) 'q' "d"\nnl\ttab\\back/.beads/issues.jsonl`],
  ])('should make git match exactly %j and nothing else', (rel) => {
    const decoy = rel === '.beads/issues.jsonl' ? 'x/.beads/issues.jsonl' : rel.replace(/[^/]+(?=\/\.beads)/, 'other');
    expect(matched(top, attributePattern(rel), [rel, decoy, '.beads/issues.jsonl.x', `sub/${rel}`])).toEqual([rel]);
  });
});
