import { ValidationError } from '../store/store-errors';
import { exportJsonl } from '../sync/export-jsonl';
import { importJsonl } from '../sync/import-jsonl';
import { issueDetails, plainIssue } from '../store/bd/bd-shapes';
import { blockedIssues } from '../store/bd/blocked-issues';
import { configGet, configList, configSet, configUnset } from '../store/bd/config-values';
import { depCycles, depList, depTree } from '../store/bd/dep-queries';
import { epicStatuses } from '../store/bd/epic-status';
import { closeIssue, createIssue, deleteIssue, updateIssue } from './issue-writes';
import { labelList, labelListAll } from '../store/bd/label-queries';
import { countIssues, listIssues, staleIssues } from '../store/bd/list-issues';
import type { OperationContext } from './operation-context';
import { readyIssues } from '../store/bd/ready-issues';
import { resolveId, resolveIdArgs } from '../store/bd/resolve-id';
import { statsAnswer } from '../store/bd/statistics';

type Args = Record<string, unknown>;

const str = (a: Args, k: string): string => {
  const v = a[k];
  if (typeof v !== 'string' || v === '') throw new ValidationError(`${k}: expected a non-empty string`);
  return v;
};
const optStr = (a: Args, k: string): string | undefined => (typeof a[k] === 'string' ? (a[k] as string) : undefined);

/**
 * The data operations, by their bd RPC names, answering in bd's Go types. Direct-mode CLI
 * commands and the daemon's RPC server both come through here, so a command's output is the
 * same either way. Ids are resolved as bd resolves them (exact, prefix-input, hash substring).
 */
export function executeOperation(ctx: OperationContext, operation: string, rawArgs: Args = {}): unknown {
  const { store, actor } = ctx;
  const args = resolveIdArgs(store, operation, rawArgs);
  switch (operation) {
    case 'create':
      return createIssue(ctx, args);
    case 'update':
      return updateIssue(ctx, args);
    case 'close':
      return closeIssue(ctx, args);
    case 'reopen':
      return plainIssue(store.reopen(str(args, 'id'), actor));
    case 'delete':
      return deleteIssue(ctx, args);
    case 'list':
      return listIssues(store, args);
    case 'count':
      return countIssues(store, args);
    case 'stale':
      return staleIssues(store, args);
    case 'show':
      return issueDetails(store, str(args, 'id'));
    case 'resolve_id':
      return resolveId(store, str(args, 'id'));
    case 'ready':
      return readyIssues(store, args);
    case 'blocked':
      return blockedIssues(store, args);
    case 'stats':
      return statsAnswer(store);
    case 'epic_status':
      return epicStatuses(store, { eligibleOnly: args.eligible_only === true });
    case 'dep_add': {
      const type = optStr(args, 'dep_type') || 'blocks';
      store.addDependency(str(args, 'from_id'), str(args, 'to_id'), type, actor);
      return { status: 'added', issue_id: args.from_id, depends_on_id: args.to_id, type };
    }
    case 'dep_remove':
      store.removeDependency(str(args, 'from_id'), str(args, 'to_id'), actor);
      return { status: 'removed', issue_id: args.from_id, depends_on_id: args.to_id };
    case 'dep_list':
      return depList(store, { id: str(args, 'id'), direction: optStr(args, 'direction'), type: optStr(args, 'type') });
    case 'dep_tree':
      return depTree(store, { ...args, id: str(args, 'id') } as Parameters<typeof depTree>[1]);
    case 'dep_cycles':
      return depCycles(store);
    // bd's daemon answers label writes with no data.
    case 'label_add':
      store.addLabel(str(args, 'id'), str(args, 'label'), actor);
      return undefined;
    case 'label_remove':
      store.removeLabel(str(args, 'id'), str(args, 'label'), actor);
      return undefined;
    case 'label_list':
      return labelList(store, str(args, 'id'));
    case 'label_list_all':
      return labelListAll(store);
    case 'comment_add':
      return store.addComment(str(args, 'id'), optStr(args, 'author') || actor, str(args, 'text'));
    case 'comment_list':
      return store.comments(str(args, 'id'));
    case 'get_config':
      return configGet(store, args.key);
    case 'config_set':
      return configSet(store, args.key, args.value);
    case 'config_unset':
      return configUnset(store, args.key);
    case 'config_list':
      return configList(store);
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
