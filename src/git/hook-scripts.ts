/** The hooks bd-rx installs, and the line in each that marks it as bd-rx's. */
export const HOOK_NAMES = ['pre-commit', 'post-merge', 'post-checkout', 'post-rewrite'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export const HOOK_MARKER = '# bd-rx hook v1';
/** An earlier hook is kept under this suffix and run first by ours. */
export const CHAINED_SUFFIX = '.bd-rx-chained';

/** A string as one shell word, whatever it holds (quotes, `$()`, spaces, newlines). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What each hook asks of bd-rx, given the workspace and its JSONL relative to the work tree's top. */
function body(hook: HookName, ws: string, jsonl: string): string {
  const importNeeded = `bd-rx -C ${ws} daemon-event import-needed >/dev/null 2>&1 || true`;
  switch (hook) {
    case 'post-merge':
    case 'post-rewrite':
      return importNeeded;
    case 'post-checkout':
      // $3 is 1 for a branch checkout, 0 for a file checkout (`git checkout -- FILE`).
      return `if [ "$3" = 1 ]; then\n  ${importNeeded}\nfi`;
    case 'pre-commit':
      // Through a running daemon `export` waits for its pending export; without one it exports.
      return [
        `bd-rx -C ${ws} export >/dev/null || echo "bd-rx pre-commit: the export failed (above); committing without it" >&2`,
        `if [ -f ${jsonl} ]; then git --literal-pathspecs add -- ${jsonl} || true; fi`,
      ].join('\n');
  }
}

/**
 * A hook as bd-rx writes it. It runs the hook it replaced first (with the same arguments and
 * stdin) and exits with that hook's status, so chaining changes no outcome; a failing earlier
 * pre-commit stops the commit before any export. Without `bd-rx` on PATH, or outside a
 * workspace, it does nothing else.
 */
export function hookScript(hook: HookName, workspaceRel: string): string {
  const rel = workspaceRel === '' ? '.' : workspaceRel;
  // `./`: a workspace directory named `-x` must reach bd-rx as a path, not as an option.
  const ws = shellQuote(rel === '.' ? '.' : `./${rel}`);
  const jsonl = shellQuote(rel === '.' ? '.beads/issues.jsonl' : `${rel}/.beads/issues.jsonl`);
  return [
    '#!/bin/sh',
    `${HOOK_MARKER}: ${hook}. Installed by \`bd-rx hooks install\`; \`bd-rx hooks uninstall\` removes it and`,
    `# puts back the hook that was here before (kept meanwhile as ${hook}${CHAINED_SUFFIX}, run first).`,
    'status=0',
    `chained="$0${CHAINED_SUFFIX}"`,
    'if [ -x "$chained" ]; then',
    '  "$chained" "$@" || status=$?',
    'fi',
    ...(hook === 'pre-commit' ? ['[ "$status" -eq 0 ] || exit "$status"'] : []),
    'command -v bd-rx >/dev/null 2>&1 || exit "$status"',
    `[ -d ${shellQuote(rel === '.' ? '.beads' : `${rel}/.beads`)} ] || exit "$status"`,
    body(hook, ws, jsonl),
    'exit "$status"',
    '',
  ].join('\n');
}
