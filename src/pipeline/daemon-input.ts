import { catchError, EMPTY, map, merge, type Observable, of } from 'rxjs';
import type { DaemonSignal, DaemonSources, Mutation, SafetyFinding, SyncTrigger, WatchEvent } from './daemon-sources';
import { errnoCode } from '../os/errno-code';

/**
 * Everything the sources say, as one tagged stream, so the pipeline can multicast it once and
 * classify each value in one place. A source that errors becomes a value here, never an error:
 * one broken adapter must not tear down the others before the pending export is flushed.
 */
export type DaemonInput =
  | { source: 'watch'; event: WatchEvent }
  | { source: 'mutation'; mutation: Mutation }
  | { source: 'trigger'; trigger: SyncTrigger }
  | { source: 'signal'; signal: DaemonSignal }
  /** A JSONL change the watcher missed is import work; a lost DB or workspace stops the daemon. */
  | { source: 'safety'; finding: SafetyFinding }
  /**
   * Work an effect's outcome calls for (an import that kept local changes needs an export):
   * fed back by the pipeline itself (see `feedbackOf`), and not logged as an input.
   */
  | { source: 'found'; kind: 'export' | 'git'; reason: string }
  /** A mutation$, trigger$ or signal$ error: the daemon can no longer trust its inputs. */
  | { source: 'failed'; code: string; message: string };

/**
 * ```
 * fileChange$: --c---#          (# without a string `code` → code 'EWATCH')
 * mutation$:   ---m---#
 * result:      --wm--xf         w = watch change, m = mutation,
 *                               x = watch error (fallback decides), f = failed (always fatal)
 * ```
 */
export function daemonInput(sources: DaemonSources): Observable<DaemonInput> {
  return merge(
    sources.signal$.pipe(
      map((signal): DaemonInput => ({ source: 'signal', signal })),
      catchError((err: unknown) => of(sourceFailed('signal$', err))),
    ),
    sources.fileChange$.pipe(
      map((event): DaemonInput => ({ source: 'watch', event })),
      // A watcher that dies is the same situation as a watcher that reports an error event:
      // the fallback-to-polling rule applies to both.
      catchError((err: unknown) =>
        of<DaemonInput>({
          source: 'watch',
          event: { kind: 'error', code: errnoCode(err) ?? 'EWATCH', message: messageOf(err) },
        }),
      ),
    ),
    sources.mutation$.pipe(
      map((mutation): DaemonInput => ({ source: 'mutation', mutation })),
      catchError((err: unknown) => of(sourceFailed('mutation$', err))),
    ),
    sources.trigger$.pipe(
      map((trigger): DaemonInput => ({ source: 'trigger', trigger })),
      catchError((err: unknown) => of(sourceFailed('trigger$', err))),
    ),
    (sources.safety$ ?? EMPTY).pipe(
      map((finding): DaemonInput => ({ source: 'safety', finding })),
      catchError((err: unknown) => of(sourceFailed('safety$', err))),
    ),
  );
}

/** Work that the export serves: store writes and explicit export requests. */
export function isExportWork(input: DaemonInput): boolean {
  return (
    input.source === 'mutation' ||
    (input.source === 'trigger' && input.trigger.kind === 'export') ||
    (input.source === 'found' && input.kind === 'export')
  );
}

/**
 * Work that the import serves: JSONL changes, the watcher being ready (the start-up import ran
 * before the watches were in place: a change made in between would go unseen), and explicit
 * import requests (poll ticks join later).
 */
export function isImportWork(input: DaemonInput): boolean {
  switch (input.source) {
    case 'watch':
      return input.event.kind !== 'error';
    case 'trigger':
      return input.trigger.kind === 'import';
    case 'safety':
      return input.finding.kind === 'jsonl-changed';
    default:
      return false;
  }
}

/** Why a safety finding stops the daemon, and what the user should do; undefined: it does not. */
export function safetyStop(finding: SafetyFinding): { code: string; message: string } | undefined {
  switch (finding.kind) {
    case 'jsonl-changed':
      return undefined;
    case 'db-deleted':
      return {
        code: 'EDBDELETED',
        message: `${finding.path} was deleted under the running daemon; stopping so that no write goes to an unlinked file. Run \`bd-rx daemon start\` again: it re-creates the DB and imports the JSONL`,
      };
    case 'db-replaced':
      return {
        code: 'EDBREPLACED',
        message: `${finding.path} was replaced under the running daemon (a backup restored?); stopping so that its WAL is not mixed into another file. Run \`bd-rx daemon start\` again: it opens the new file and imports the JSONL`,
      };
    case 'workspace-gone':
      return {
        code: 'EWORKSPACEGONE',
        message: `${finding.path} was moved or deleted under the running daemon; stopping. Start a daemon in the workspace's new place if it moved`,
      };
  }
}

/** The id of the explicit request an input carries, if any (see `SyncTrigger.id`). */
export function requestIdOf(input: DaemonInput): number | undefined {
  return input.source === 'trigger' ? input.trigger.id : undefined;
}

export function isWatchError(
  input: DaemonInput,
): input is { source: 'watch'; event: Extract<WatchEvent, { kind: 'error' }> } {
  return input.source === 'watch' && input.event.kind === 'error';
}

export function isSignal(input: DaemonInput): input is Extract<DaemonInput, { source: 'signal' }> {
  return input.source === 'signal';
}

function sourceFailed(name: string, err: unknown): DaemonInput {
  return { source: 'failed', code: errnoCode(err) ?? 'ESOURCE', message: `${name} failed: ${messageOf(err)}` };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
