import pino from 'pino';
import { Writable } from 'node:stream';
import { RefreshedRows } from './refreshed-rows';

interface Row {
  readonly id: string;
  readonly v: number;
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino(stream), lines };
}

describe('RefreshedRows', () => {
  it('reads at start, replaces the rows on each re-read, and keeps the last known rows when a re-read fails', async () => {
    const { log, lines } = capture();
    let answer: Row[] | Error = [{ id: 'a', v: 1 }];
    const rows = new RefreshedRows<string, Row>({
      load: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)),
      key: (r) => r.id,
      everyMs: 60_000,
      log,
      event: 'thing.refresh_failed',
      what: 'things',
    });
    await rows.start();
    expect([...rows.current().values()]).toEqual([{ id: 'a', v: 1 }]);

    answer = [{ id: 'b', v: 2 }];
    await rows.refresh();
    expect([...rows.current().keys()]).toEqual(['b']);

    answer = new Error('connection refused');
    await rows.refresh();
    expect([...rows.current().keys()]).toEqual(['b']);
    expect(lines).toEqual([expect.objectContaining({ level: 40, event: 'thing.refresh_failed', msg: 'could not re-read things; keeping the last known' })]);
    rows.stop();
  });

  it('re-reads every everyMs until stopped', async () => {
    let reads = 0;
    const rows = new RefreshedRows<string, Row>({
      load: () => Promise.resolve([{ id: String(++reads), v: reads }]),
      key: (r) => r.id,
      everyMs: 10,
      log: capture().log,
      event: 'thing.refresh_failed',
      what: 'things',
    });
    await rows.start();
    const deadline = Date.now() + 5_000;
    while (reads < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(reads).toBeGreaterThanOrEqual(3);
    rows.stop();
    const stoppedAt = reads;
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).toBe(stoppedAt);
  });
});
