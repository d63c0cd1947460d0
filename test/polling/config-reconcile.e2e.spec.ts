import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestApp } from '../support/test-app';
import { FAST_POLLING_ENV } from './support';

describe('targets from OPSLEDGER_CONFIG are reconciled at start', () => {
  let db: TestDatabase;
  const dir = mkdtempSync(path.join(tmpdir(), 'opsledger-cfg-'));
  const file = path.join(dir, 'opsledger.yaml');
  const env = { ...FAST_POLLING_ENV, POLL_SCHEDULER_ENABLED: 'false', OPSLEDGER_CONFIG: file };
  const write = (text: string) => writeFileSync(file, text);
  const eventsSince = async (position: number) =>
    (
      await db.pool.query<{ position: string; type: string; stream_id: string; data: any; metadata: any; event_id: string }>(
        'SELECT * FROM events WHERE position > $1 ORDER BY position',
        [position],
      )
    ).rows;
  const head = async () => Number((await db.pool.query('SELECT coalesce(max(position), 0) AS p FROM events')).rows[0].p);
  const boot = async () => (await startTestApp(env, db)).close();

  beforeAll(async () => (db = await createTestDatabase()));
  afterAll(() => db.drop());

  it('added → TargetRegistered, changed → TargetChanged, removed → TargetRemoved, all caused by one config.reconcile audit entry', async () => {
    write(`targets:
  - { type: instance, name: a, probe: { kind: http, url: "http://127.0.0.1:9/a" } }
  - { type: instance, name: b, probe: { kind: http, url: "http://127.0.0.1:9/b" }, intervalSeconds: 30 }
`);
    let from = await head();
    await boot();
    let evs = (await eventsSince(from)).filter((e) => e.stream_id.startsWith('target-') || e.type === 'OperatorActionRecorded');
    const audit1 = evs.filter((e) => e.type === 'OperatorActionRecorded' && e.data.action === 'config.reconcile');
    expect(audit1).toHaveLength(1);
    expect(audit1[0].data).toMatchObject({ actor: 'system', details: { added: ['instance::a', 'instance::b'], changed: [], removed: [] } });
    const reg = evs.filter((e) => e.type === 'TargetRegistered');
    expect(reg.map((e) => e.data.key)).toEqual(['instance::a', 'instance::b']);
    expect(reg.every((e) => e.data.source === 'config' && e.metadata.causationId === audit1[0].event_id)).toBe(true);

    write(`targets:
  - { type: instance, name: b, probe: { kind: http, url: "http://127.0.0.1:9/b2" }, intervalSeconds: 30 }
  - { type: instance, name: c, probe: { kind: http, url: "http://127.0.0.1:9/c" } }
`);
    from = await head();
    await boot();
    evs = (await eventsSince(from)).filter((e) => e.stream_id.startsWith('target-') || e.data?.action === 'config.reconcile');
    const audit2 = evs.find((e) => e.type === 'OperatorActionRecorded')!;
    expect(evs.filter((e) => e.stream_id.startsWith('target-')).map((e) => [e.type, e.data.key])).toEqual([
      ['TargetRegistered', 'instance::c'],
      ['TargetChanged', 'instance::b'],
      ['TargetRemoved', 'instance::a'],
    ]);
    expect(evs.find((e) => e.type === 'TargetChanged')!.data.spec.probe.url).toBe('http://127.0.0.1:9/b2');
    expect(evs.filter((e) => e.stream_id.startsWith('target-')).every((e) => e.metadata.causationId === audit2.event_id)).toBe(true);

    // Same file again: nothing to do, nothing appended.
    from = await head();
    await boot();
    expect((await eventsSince(from)).filter((e) => e.stream_id.startsWith('target-') || e.data?.action === 'config.reconcile')).toEqual([]);
  });

  it('an invalid entry stops start-up with a message naming the target and the field, and writes nothing', async () => {
    write(`targets:
  - { type: instance, name: ok, probe: { kind: http, url: "http://127.0.0.1:9/ok" } }
  - { type: instance, name: bad, probe: { kind: http, url: "ftp://127.0.0.1/x" } }
`);
    const from = await head();
    await expect(startTestApp(env, db)).rejects.toThrow(/OPSLEDGER_CONFIG: targets\[1\] \(instance::bad\): probe\.url: must be an http\(s\) URL/);
    expect(await eventsSince(from)).toEqual([]);
  });
});
