import type { JsonlLineError } from '../jsonl/jsonl-errors';

const WHAT: Record<JsonlLineError['reason'], string> = {
  'conflict-marker': 'is a git conflict marker',
  'invalid-json': 'is not valid JSON',
  'missing-id': 'is not an issue (no string "id")',
  'invalid-text': 'is not valid UTF-8 text (invalid bytes, or a lone surrogate escape)',
  'repeated-id-key': 'has two "id" keys',
};

/**
 * An input of the merge driver that cannot be merged. The output file is left as git wrote it,
 * so git reports the file as conflicted instead of committing a guess.
 */
export class MergeInputError extends Error {
  constructor(
    readonly input: 'base' | 'ours' | 'theirs',
    readonly file: string,
    readonly line: number,
    readonly reason: JsonlLineError['reason'],
    output: string,
  ) {
    super(
      `cannot merge ${output}: ${input} (${file}) line ${line} ${WHAT[reason]}. ` +
        `${output} was left as it was and git will report it as conflicted: fix that line in the ${input} version ` +
        '(or resolve the conflict by hand), then `git add` the file.',
    );
    this.name = 'MergeInputError';
  }
}
