import { ClientRequest, IncomingMessage, request } from 'node:http';

/** One server-sent event as the browser's EventSource would dispatch it. */
export interface SseFrame {
  readonly id: string | null;
  readonly event: string;
  readonly data: any;
}

/** Reads GET /api/stream over node:http (its own connection, destroyed on close): frames as they arrive. */
export class SseReader {
  readonly frames: SseFrame[] = [];
  status = 0;
  private req: ClientRequest | null = null;
  private done: Promise<void> = Promise.resolve();
  ended = false;
  /** The id of the last block received, data or not (an id-only block moves past events the caller may not see). */
  lastId: string | null = null;

  static async open(url: string, headers: Record<string, string>): Promise<SseReader> {
    const r = new SseReader();
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      r.req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent: false }, resolve);
      r.req.on('error', reject);
      r.req.end();
    });
    r.status = res.statusCode ?? 0;
    if (r.status !== 200) {
      let text = '';
      for await (const c of res) text += c;
      r.frames.push({ id: null, event: 'http-error', data: JSON.parse(text) });
      return r;
    }
    r.done = (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let id: string | null = null;
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (id) r.lastId = id;
            if (data.length) r.frames.push({ id, event, data: JSON.parse(data.join('\n')) });
          }
        }
      } catch {
        /* aborted */
      }
      r.ended = true;
    })();
    return r;
  }

  changes(): any[] {
    return this.frames.filter((f) => f.event === 'change').map((f) => ({ ...f.data, id: this.frames.find((x) => x.data === f.data)!.id }));
  }

  async until(pred: (frames: SseFrame[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred(this.frames)) {
      if (Date.now() > end) throw new Error(`stream condition not met within ${timeoutMs} ms; frames: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    this.req?.destroy();
    await this.done;
  }
}
