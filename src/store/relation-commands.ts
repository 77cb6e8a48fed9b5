import type { IssueRecord } from '../jsonl/parse-jsonl';
import { recordComments, recordDependencies, recordLabels, type Comment } from './issue-record';
import { newDependency } from './issue-commands';
import { mutateRecord, type StoreContext } from './store-context';
import { ValidationError } from './store-errors';
import { validateDependencyType } from './validators';

/** `issueId` depends on `dependsOnId`; `actor` is recorded as the dependency's `created_by`. */
export function addDependency(ctx: StoreContext, issueId: string, dependsOnId: string, type: string, actor: string): IssueRecord {
  validateDependencyType(type);
  if (issueId === dependsOnId) throw new ValidationError(`an issue cannot depend on itself (${issueId})`);
  return mutateRecord(ctx, issueId, 'dep_add', (rec, at) => {
    ctx.queries.require(dependsOnId);
    const deps = recordDependencies(rec);
    if (deps.some((d) => d.depends_on_id === dependsOnId && d.type === type)) return {};
    if (type === 'blocks' && ctx.queries.reachable(dependsOnId, issueId)) {
      throw new ValidationError(
        `adding ${issueId} → ${dependsOnId} (blocks) would create a cycle: ${dependsOnId} already depends on ${issueId}`,
      );
    }
    return { dependencies: [...deps, newDependency(issueId, dependsOnId, type, at, actor)] };
  });
}

export function removeDependency(ctx: StoreContext, issueId: string, dependsOnId: string): IssueRecord {
  return mutateRecord(ctx, issueId, 'dep_remove', (rec) => {
    const deps = recordDependencies(rec);
    const kept = deps.filter((d) => d.depends_on_id !== dependsOnId);
    if (kept.length === deps.length) {
      throw new ValidationError(`${issueId} has no dependency on ${dependsOnId}: see \`bd-rx show ${issueId}\``);
    }
    return { dependencies: kept };
  });
}

export function addLabel(ctx: StoreContext, id: string, label: string): IssueRecord {
  if (!label.trim()) throw new ValidationError('label cannot be empty');
  return mutateRecord(ctx, id, 'label_add', (rec) => {
    const labels = recordLabels(rec);
    return labels.includes(label) ? {} : { labels: [...labels, label] };
  });
}

export function removeLabel(ctx: StoreContext, id: string, label: string): IssueRecord {
  return mutateRecord(ctx, id, 'label_remove', (rec) => {
    const labels = recordLabels(rec);
    return labels.includes(label) ? { labels: labels.filter((l) => l !== label) } : {};
  });
}

/** Appends a comment by `author` (bd numbers an issue's comments from 1). */
export function addComment(ctx: StoreContext, id: string, author: string, text: string): Comment {
  if (!text.trim()) throw new ValidationError('comment text cannot be empty');
  let added: Comment | undefined;
  mutateRecord(ctx, id, 'comment_add', (rec, at) => {
    const comments = recordComments(rec);
    const nextId = comments.reduce((m, c) => (typeof c.id === 'number' && c.id > m ? c.id : m), 0) + 1;
    added = { id: nextId, issue_id: id, author, text, created_at: at };
    return { comments: [...comments, added] };
  });
  return added!;
}
