import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound webhooks: the subscriptions and deliveries read models (inline projections; generated
 * columns for the dispatcher's due-delivery query and the failures inbox filters) and the
 * dispatcher's checkpoint in the log, moved in the same transaction as the deliveries it queues.
 */
export class Webhooks1764000000018 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rm_webhook_subscriptions (
        key       text PRIMARY KEY,
        doc       jsonb NOT NULL,
        stream_id text,
        revision  bigint,
        tenant    text GENERATED ALWAYS AS (doc->>'tenant') STORED,
        deleted   boolean GENERATED ALWAYS AS (doc->>'deletedAt' IS NOT NULL) STORED
      )`);
    await q.query(`
      CREATE TABLE rm_webhook_deliveries (
        key             text PRIMARY KEY,
        doc             jsonb NOT NULL,
        stream_id       text,
        revision        bigint,
        status          text GENERATED ALWAYS AS (doc->>'status') STORED,
        subscription_id text GENERATED ALWAYS AS (doc->>'subscriptionId') STORED,
        tenant          text GENERATED ALWAYS AS (doc->>'tenant') STORED,
        event_type      text GENERATED ALWAYS AS (doc->>'eventType') STORED,
        next_attempt_at text GENERATED ALWAYS AS (doc->>'nextAttemptAt') STORED,
        failed_at       text GENERATED ALWAYS AS (doc->>'failedAt') STORED
      )`);
    // RFC 3339 UTC strings of one length sort as the instants they name.
    await q.query(`CREATE INDEX rm_webhook_deliveries_due ON rm_webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX rm_webhook_deliveries_inbox ON rm_webhook_deliveries (failed_at DESC) WHERE failed_at IS NOT NULL`);
    await q.query(
      `CREATE TABLE webhook_dispatch_checkpoint (id int PRIMARY KEY CHECK (id = 1), checkpoint text, updated_at timestamptz NOT NULL DEFAULT now())`,
    );
    await q.query(`INSERT INTO webhook_dispatch_checkpoint (id, checkpoint) VALUES (1, NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_dispatch_checkpoint');
    await q.query('DROP TABLE rm_webhook_deliveries');
    await q.query('DROP TABLE rm_webhook_subscriptions');
  }
}
