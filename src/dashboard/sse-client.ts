import type { ServerResponse } from 'node:http';

/**
 * One open tab's Server-Sent Events stream. Writes never wait: a tab that does not read (a
 * background tab, a stalled machine) piles bytes up in its socket's buffer, and once more than
 * `maxBufferedBytes` are still unread when the next message comes, it is cut off, so the
 * daemon's memory (at most that plus one message per tab) and speed never depend on a browser.
 * The page's EventSource reconnects and starts again from the replay.
 */
export class SseClient {
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBufferedBytes: number,
    private readonly onClose: (client: SseClient, cutOff: boolean) => void,
  ) {
    res.on('close', () => this.end(false));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues an already framed chunk (`event: …\ndata: …\n\n`), encoded once for every tab. */
  send(chunk: string | Buffer): void {
    if (this.closed) return;
    if (this.res.writableLength > this.maxBufferedBytes) {
      this.end(true);
      this.res.destroy();
      return;
    }
    this.res.write(chunk);
  }

  close(): void {
    if (this.closed) return;
    this.end(false);
    this.res.end();
  }

  private end(cutOff: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this, cutOff);
  }
}

/** One SSE message: a named event whose data is one line of JSON. */
export function sseFrame(event: string, json: string, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${json}\n\n`;
}
