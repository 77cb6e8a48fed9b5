import { idOfLine } from '../../sync/line-index';

/**
 * The ids of a JSONL file's issue lines, in file order: read off the line's start where it is
 * in the export's shape, parsed otherwise. Other records (bd's memories) and lines that are
 * not JSON objects with an id are left out: this counts issues, it does not validate.
 */
export function jsonlIds(data: Buffer): string[] {
  const ids: string[] = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    const fast = idOfLine(data, start, end);
    if (fast !== undefined) ids.push(Buffer.from(fast, 'latin1').toString('utf8'));
    else {
      try {
        const r = JSON.parse(data.toString('utf8', start, end)) as { id?: unknown; _type?: unknown };
        if (typeof r.id === 'string' && (r._type === undefined || r._type === 'issue')) ids.push(r.id);
      } catch {
        // A blank or broken line: the import that follows reports it.
      }
    }
    start = end + 1;
  }
  return ids;
}
