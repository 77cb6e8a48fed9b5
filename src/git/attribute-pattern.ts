/**
 * A `.gitattributes` pattern that matches exactly one path, relative to the top of the work
 * tree, whatever it holds. A pattern ends at the first space, so a workspace under `my dir/`
 * would have matched nothing (and git's textual merge would have written conflict markers into
 * the JSONL); glob characters would have matched other files. Glob characters are escaped
 * with `\`, and a path with a space, quote, backslash or control character is written C-style
 * in double quotes, which git reads since 2.11.
 */
export function attributePattern(relPath: string): string {
  const literal = `/${relPath.replace(/[\\*?[\]]/g, (c) => `\\${c}`)}`;
  if (!/[\s"\\\u0000-\u001f\u007f]/.test(literal)) return literal;
  const quoted = literal.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"') return '\\"';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`;
  });
  return `"${quoted}"`;
}
