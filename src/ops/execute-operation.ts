import type { CreateInput, ListFilter, UpdateInput } from '../store/beads-store';
import { ValidationError } from '../store/store-errors';
import { exportJsonl } from '../sync/export-jsonl';
import { importJsonl } from '../sync/import-jsonl';
import type { OperationContext } from './operation-context';

type Args = Record<string, unknown>;

const str = (a: Args, k: string): string => {
  const v = a[k];
  if (typeof v !== 'string' || v === '') throw new ValidationError(`${k}: expected a non-empty string`);
  return v;
};
const optStr = (a: Args, k: string): string | undefined => (typeof a[k] === 'string' ? (a[k] as string) : undefined);

/**
 * The data operations, by their bd RPC names. Direct-mode CLI commands and the daemon's RPC
 * server both come through here, so a command's output is the same either way.
 */
export function executeOperation(ctx: OperationContext, operation: string, args: Args = {}): unknown {
  const { store, actor } = ctx;
  switch (operation) {
    case 'create':
      return store.create(args as unknown as CreateInput, actor);
    case 'update': {
      const { id, ...rest } = args;
      return store.update(str({ id }, 'id'), rest as UpdateInput, actor);
    }
    case 'close':
      return store.close(str(args, 'id'), optStr(args, 'reason'), actor);
    case 'reopen':
      return store.reopen(str(args, 'id'), actor);
    case 'delete':
      return store.delete(str(args, 'id'), actor);
    case 'list':
      return store.list(args as ListFilter);
    case 'show':
      return store.show(str(args, 'id'));
    case 'ready':
      return store.ready(args as { assignee?: string; priority?: number; limit?: number });
    case 'blocked':
      return store.blocked();
    case 'stats':
      return store.stats();
    case 'dep_add':
      return store.addDependency(str(args, 'from_id'), str(args, 'to_id'), optStr(args, 'dep_type') ?? 'blocks', actor);
    case 'dep_remove':
      return store.removeDependency(str(args, 'from_id'), str(args, 'to_id'), actor);
    case 'label_add':
      return store.addLabel(str(args, 'id'), str(args, 'label'), actor);
    case 'label_remove':
      return store.removeLabel(str(args, 'id'), str(args, 'label'), actor);
    case 'comment_add':
      return store.addComment(str(args, 'id'), optStr(args, 'author') ?? actor, str(args, 'text'));
    case 'comment_list':
      return store.comments(str(args, 'id'));
    case 'export':
      return exportJsonl(store, {
        jsonlPath: ctx.paths.jsonlPath,
        output: optStr(args, 'output'),
        force: args.force === true,
      });
    case 'import':
      return importJsonl(store, {
        jsonlPath: ctx.paths.jsonlPath,
        source: optStr(args, 'input'),
        force: args.force === true,
      });
    default:
      throw new ValidationError(`unknown operation "${operation}"`);
  }
}
