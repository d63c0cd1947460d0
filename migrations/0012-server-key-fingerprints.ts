import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fingerprints of the server keys (TOKEN_HASH_KEY, AUDIT_CHAIN_KEY): the keys live outside the
 * database; this lets a process started with a different key refuse to start (docs/adr/0007).
 */
export class ServerKeyFingerprints1764000000012 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE server_key_fingerprints (name text PRIMARY KEY, fingerprint text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE server_key_fingerprints');
  }
}
