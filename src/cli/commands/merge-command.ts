import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../cli-context';
import { printJson } from '../render';

interface MergeArgs extends GlobalArgs {
  output: string;
  base: string;
  ours: string;
  theirs: string;
}

type Role = 'base' | 'ours' | 'theirs';

/**
 * `bd-rx merge OUTPUT BASE OURS THEIRS`: git's merge driver for the JSONL, in bd's argument
 * order so a repository set up for bd (`bd merge %A %O %A %B`) works with `bd-rx` in its place.
 * Exit 0 with OUTPUT merged; exit 1 with OUTPUT untouched when an input cannot be parsed.
 */
export const mergeCommand: CommandModule<GlobalArgs, MergeArgs> = {
  command: 'merge <output> <base> <ours> <theirs>',
  describe: 'Git merge driver for .beads/issues.jsonl (git config merge.bd-rx.driver "bd-rx merge %A %O %A %B")',
  builder: (y) =>
    y
      .positional('output', { type: 'string', demandOption: true, describe: 'Where the result goes (git: %A)' })
      .positional('base', { type: 'string', demandOption: true, describe: 'The common ancestor (git: %O)' })
      .positional('ours', { type: 'string', demandOption: true, describe: 'Our version (git: %A)' })
      .positional('theirs', { type: 'string', demandOption: true, describe: 'Their version (git: %B)' }),
  handler: async (argv) => {
    const fs = await import('node:fs');
    const { atomicWriteFile } = await import('../../jsonl/atomic-write');
    const { JsonlLineError } = await import('../../jsonl/jsonl-errors');
    const { mergeJsonl } = await import('../../merge/merge-policy');
    const { MergeInputError } = await import('../../merge/merge-errors');
    const paths: Record<Role, string> = { base: argv.base, ours: argv.ours, theirs: argv.theirs };
    const read = (role: Role): Buffer => {
      try {
        return fs.readFileSync(paths[role]);
      } catch (err) {
        throw new Error(`cannot read the ${role} version ${paths[role]} (${(err as NodeJS.ErrnoException).code}): bd-rx merge takes OUTPUT BASE OURS THEIRS, as git passes %A %O %A %B`);
      }
    };
    const inputs = { base: read('base'), ours: read('ours'), theirs: read('theirs') };
    let result;
    try {
      result = mergeJsonl({ ...inputs, names: paths });
    } catch (err) {
      if (!(err instanceof JsonlLineError)) throw err;
      const role = (Object.keys(paths) as Role[]).find((r) => paths[r] === err.file) ?? 'ours';
      throw new MergeInputError(role, err.file, err.line, err.reason, argv.output);
    }
    atomicWriteFile(argv.output, result.data);
    const r = result.report;
    if (argv.json) {
      return printJson({
        output: argv.output,
        issues: r.issues,
        merged: r.merged.length,
        kept_over_delete: r.kept_over_delete.length,
        resolved_by_time: r.resolved_by_time,
        deleted: r.deleted.length,
        renumbered_comments: r.renumbered_comments,
        other_records: r.other_records,
        other_conflicts: r.other_conflicts,
        merged_ids: r.merged,
        kept_over_delete_ids: r.kept_over_delete,
        deleted_ids: r.deleted,
        duplicates: r.duplicates,
      });
    }
    // git shows a driver's stderr: say what was kept against a deletion, as the edit may surprise.
    for (const id of r.kept_over_delete) process.stderr.write(`bd-rx merge: kept ${id}: deleted on one side, edited on the other\n`);
    for (const key of r.other_conflicts) process.stderr.write(`bd-rx merge: ${key} was changed differently on both sides; kept the greater line\n`);
  },
};
