import type { Arguments, CommandModule } from 'yargs';
import type { Comment } from '../../store/issue-record';
import { withBackend, type GlobalArgs } from '../cli-context';
import { print, printJson } from '../render';

type CommentArgs = GlobalArgs & { id: string; text?: string; author?: string };

async function listComments(argv: Arguments<CommentArgs>): Promise<void> {
  await withBackend(argv, async (backend) => {
    const comments = (await backend.call('comment_list', { id: argv.id })) as Comment[];
    if (argv.json) return printJson(comments);
    if (comments.length === 0) return print(`No comments on ${argv.id}.`);
    for (const c of comments) print(`[${c.created_at}] ${c.author}: ${c.text}`);
  });
}

export const commentsCommand: CommandModule<GlobalArgs, CommentArgs> = {
  command: 'comments <id>',
  describe: 'List the comments of an issue (`comments add ID TEXT` adds one)',
  builder: (y) =>
    y
      .command<CommentArgs>({
        command: 'add <id> <text>',
        describe: 'Add a comment',
        builder: (b) =>
          b
            .positional('id', { type: 'string' })
            .positional('text', { type: 'string' })
            .option('author', { type: 'string', describe: 'Default: the actor' }) as never,
        handler: async (argv) =>
          withBackend(argv, async (backend) => {
            const comment = (await backend.call('comment_add', {
              id: argv.id,
              text: argv.text,
              ...(argv.author ? { author: argv.author } : {}),
            })) as Comment;
            if (argv.json) return printJson(comment);
            print(`✓ Added comment ${comment.id} to ${argv.id}`);
          }),
      })
      .positional('id', { type: 'string', demandOption: true }),
  handler: async (argv) => listComments(argv),
};
