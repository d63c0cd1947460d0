import type { Pool } from 'pg';
import { JOBS_CHANNEL } from '../store/run-writer';

const NOTIFY = { name: 'ol_jobs_notify', text: `SELECT pg_notify('${JOBS_CHANNEL}', '')` };

/**
 * Wakes idle workers after enqueues have committed, outside the enqueue's transaction: a NOTIFY
 * inside it would make its commit take PostgreSQL's cluster-wide notify lock across the WAL flush
 * and so serialise concurrent enqueues. At most one NOTIFY is on its way; enqueues that commit
 * meanwhile get one more after it, so a burst costs two and a single enqueue wakes workers at once.
 */
export class EnqueueNotifier {
  private sending: Promise<void> | null = null;
  private again = false;

  constructor(private readonly pool: Pool) {}

  notify(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = (async () => {
      do {
        this.again = false;
        await this.pool.query(NOTIFY).catch(() => undefined); // workers poll as the fallback
      } while (this.again);
      this.sending = null;
    })();
  }

  /** Resolves when no NOTIFY is on its way (before the pool closes). */
  async idle(): Promise<void> {
    while (this.sending) await this.sending;
  }
}
