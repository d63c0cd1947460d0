import { Pool, PoolClient } from 'pg';
import { LocalWaker, Waker } from '../../shared/waker';

/**
 * One LISTEN connection per store, shared by every subscriber. Opened lazily on the first wait;
 * when it drops, subscribers keep working on the timed poll until it is re-opened.
 */
export class EventNotifier implements Waker {
  private readonly local = new LocalWaker();
  private client: PoolClient | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly reconnectMs: number,
  ) {}

  async wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (!this.client && !this.connecting && !this.closed) this.connecting = this.listen();
    return this.local.wait(ms, signal);
  }

  private async listen(): Promise<void> {
    try {
      const client = await this.pool.connect();
      client.on('notification', () => this.local.wake());
      client.on('error', () => this.drop(client));
      await client.query('LISTEN ol_events');
      if (this.closed) return this.drop(client);
      this.client = client;
    } catch {
      // The timed poll covers the gap; try LISTEN again later.
      if (!this.closed) setTimeout(() => (this.connecting = null), this.reconnectMs).unref();
      return;
    }
    this.connecting = null;
  }

  private drop(client: PoolClient): void {
    if (this.client === client) this.client = null;
    try {
      client.release(true);
    } catch {
      /* released already */
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting;
    if (this.client) {
      const c = this.client;
      this.client = null;
      await c.query('UNLISTEN *').catch(() => undefined);
      this.drop(c);
    }
    this.local.wake();
  }
}
