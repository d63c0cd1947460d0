import { InMemoryEventStore } from '../event-store/in-memory/in-memory-event-store';
import { BadInput } from '../shared/errors';
import { EventSummaries } from './event-summaries';
import { TimelineReader } from './timeline.reader';

/** The reader's selection, paging and cause chains over the in-memory log (the HTTP side: test/timeline). */
describe('TimelineReader', () => {
  const t0 = Date.parse('2026-03-01T10:00:00.000Z');
  const at = (s: number) => new Date(t0 + s * 1000);
  const window = { from: at(0).toISOString(), to: at(100).toISOString() };
  let store: InMemoryEventStore;
  let reader: TimelineReader;
  let clock = 0;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    store.now = () => at(clock);
    reader = new TimelineReader(store, new EventSummaries());
    clock = -10;
    await store.append('target-early', [{ type: 'PollSucceeded', data: {} }], 'no_stream'); // before the window
    clock = 1;
    const cause = await store.append('jobdef-nightly', [{ type: 'JobDefined', data: { name: 'nightly', tenant: 'acme' } }], 'no_stream');
    clock = 2;
    await store.append(
      'job-r1',
      [{ type: 'RunEnqueued', data: { runId: 'r1', job: 'nightly' }, metadata: { causationId: cause.events[0].eventId } }],
      'no_stream',
    );
    clock = 3;
    await store.append('target-web', [{ type: 'PollFailed', data: {}, metadata: { tenant: 'globex' } }], 'no_stream');
    clock = 100; // at `to`: outside
    await store.append('target-web', [{ type: 'PollSucceeded', data: {} }], 0n);
  });

  const streams = async (filter: Partial<Parameters<TimelineReader['page']>[0]>) =>
    (await reader.page({ ...window, ...filter }, 50, null)).items.map((i) => i.streamId);

  it('selects the window, a target, a job, a tenant and types', async () => {
    expect(await streams({})).toEqual(['jobdef-nightly', 'job-r1', 'target-web']);
    expect(await streams({ target: 'web' })).toEqual(['target-web']);
    expect(await streams({ job: 'nightly' })).toEqual(['jobdef-nightly', 'job-r1']);
    expect(await streams({ tenant: 'acme' })).toEqual(['jobdef-nightly']);
    expect(await streams({ tenant: 'globex' })).toEqual(['target-web']);
    expect(await streams({ types: ['RunEnqueued', 'PollFailed'] })).toEqual(['job-r1', 'target-web']);
  });

  it('pages with a cursor, and refuses one it did not hand out', async () => {
    const first = await reader.page(window, 2, null);
    expect(first.items.map((i) => i.streamId)).toEqual(['jobdef-nightly', 'job-r1']);
    const second = await reader.page(window, 2, first.nextCursor);
    expect([second.items.map((i) => i.streamId), second.nextCursor]).toEqual([['target-web'], null]);
    for (const bad of ['not a cursor', Buffer.from('12:34').toString('base64url'), Buffer.from('007').toString('base64url')]) {
      await expect(reader.page(window, 2, bad)).rejects.toThrow(BadInput);
    }
  });

  it('names what caused an event', async () => {
    const [, run] = (await reader.page(window, 50, null)).items;
    expect(run.causedBy).toEqual([expect.objectContaining({ type: 'JobDefined', at: at(1).toISOString() })]);
  });
});
