import * as fs from 'node:fs';
import type { Arguments, CommandModule } from 'yargs';
import type { Comment } from '../../store/issue-record';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';
import { UsageError } from '../report-error';

type CommentArgs = GlobalArgs & { id: string; text?: string; author?: string; file?: string };

async function listComments(argv: Arguments<CommentArgs>): Promise<void> {
  await withBackend(argv, async (backend) => {
    const comments = ((await backend.call('comment_list', { id: argv.id })) as Comment[] | null) ?? [];
    if (argv.json) return printJson(comments);
    if (comments.length === 0) return print(`No comments on ${argv.id}.`);
    for (const c of comments) print(`[${c.created_at}] ${c.author}: ${c.text}`);
  });
}

async function addComment(argv: Arguments<CommentArgs>): Promise<void> {
  const text = argv.file !== undefined ? fs.readFileSync(argv.file === '-' ? 0 : argv.file, 'utf8') : argv.text;
  if (text === undefined || text.trim() === '') {
    throw new UsageError('A comment needs text. Give it after the id (`bd-rx comments add ID "text"`) or with --file FILE.');
  }
  await withBackend(argv, async (backend) => {
    const comment = (await backend.call('comment_add', { id: argv.id, text, ...(argv.author ? { author: argv.author } : {}) })) as Comment;
    if (argv.json) return printJson(comment);
    print(`✓ Added comment ${comment.id} to ${comment.issue_id}`);
  });
}

const addOptions = {
  file: { alias: 'f', type: 'string', describe: 'The text from a file (- = stdin)' },
  author: { alias: 'a', type: 'string', describe: 'Default: the actor' },
} as const;

export const commentsCommand: CommandModule<GlobalArgs, CommentArgs> = {
  command: 'comments <id>',
  describe: 'List the comments of an issue (`comments add ID TEXT` adds one)',
  builder: (y) =>
    y
      .command<CommentArgs>({
        command: 'add <id> [text]',
        describe: 'Add a comment',
        builder: (b) => b.positional('id', { type: 'string' }).positional('text', { type: 'string' }).options(addOptions) as never,
        handler: addComment,
      })
      .positional('id', { type: 'string', demandOption: true })
      .option('local-time', { type: 'boolean', hidden: true }),
  handler: async (argv) => listComments(argv),
};

/** bd's deprecated `comment ID TEXT`, kept for the scripts that still call it. */
export const commentCommand: CommandModule<GlobalArgs, CommentArgs> = {
  command: 'comment <id> [text]',
  describe: false,
  builder: (y) => y.positional('id', { type: 'string', demandOption: true }).positional('text', { type: 'string' }).options(addOptions) as never,
  handler: async (argv) => {
    process.stderr.write('Command "comment" is deprecated, use "comments add" instead\n');
    await addComment(argv);
  },
};
