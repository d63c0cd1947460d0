import type { PoolClient } from 'pg';
import type { Checkpoint, RecordedEvent } from '../envelope';
import type { EventFilter, ReadStreamsOptions, StreamsQuery } from '../event-filter';
import type { ReadStreamOptions, ScanOptions, SnapshotReader } from '../event-store.port';
import type { SqlSession } from '../unit-of-work';
import { EventRow, orderedSql, readAllOn, readEventsOn, readStreamOn, readStreamsOn, toEvent } from './event-reads';
import { SqlValues } from './filter-sql';

/**
 * The log inside one REPEATABLE READ READ ONLY transaction (PostgresEventStore.atSnapshot): a
 * consistent cut, so reads need no xmin horizon (inside one snapshot it would only hide commits
 * behind an open transaction). Scans use a cursor: one sort or index walk for the whole window.
 */
export class PostgresSnapshotReader implements SnapshotReader {
  private finished = false;
  private cursors = 0;

  constructor(private readonly client: PoolClient) {}

  get sql(): SqlSession {
    this.check();
    return this.client;
  }

  finish(): void {
    this.finished = true;
  }

  private check(): void {
    if (this.finished) throw new Error('this snapshot has ended: use it only inside its atSnapshot callback');
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.check();
    return readStreamOn(this.client, streamId, options);
  }

  async readStreams(query: StreamsQuery, options?: ReadStreamsOptions): Promise<RecordedEvent[]> {
    this.check();
    return readStreamsOn(this.client, query, options);
  }

  async readEvents(eventIds: readonly string[]): Promise<RecordedEvent[]> {
    this.check();
    return readEventsOn(this.client, eventIds);
  }

  async readAll(from: Checkpoint | null, limit: number, filter?: EventFilter): Promise<RecordedEvent[]> {
    this.check();
    return readAllOn(this.client, from, limit, filter, 'committed');
  }

  async *scan(filter?: EventFilter, options: ScanOptions = {}): AsyncIterable<RecordedEvent[]> {
    this.check();
    const name = `ol_scan_${++this.cursors}`;
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? 1000));
    // A scan is read to its end: plan for the whole result, not for its first rows (the cursor default).
    await this.client.query('SET LOCAL cursor_tuple_fraction = 1');
    // DECLARE takes no bind parameters: the query carries its values as typed, escaped literals.
    await this.client.query(
      `DECLARE ${name} NO SCROLL CURSOR FOR ${orderedSql(options.order ?? 'commit', options.from ?? null, filter, 'committed', new SqlValues('literals'))}`,
    );
    try {
      for (;;) {
        this.check();
        const { rows } = await this.client.query<EventRow>(`FETCH ${pageSize} FROM ${name}`);
        if (rows.length) yield rows.map((r) => toEvent(r, options.stored ?? false));
        if (rows.length < pageSize) return;
      }
    } finally {
      if (!this.finished) await this.client.query(`CLOSE ${name}`).catch(() => undefined);
    }
  }
}
