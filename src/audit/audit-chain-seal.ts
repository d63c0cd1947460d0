import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import { inTransaction } from '../database/transaction';
import { legacySeal, LOCK_HEAD_SQL, LockedHead, SEAL_ACTION } from './audit-chain';
import { AuditRecorder } from './audit-recorder';
import { systemOperator } from './operator-context';

/**
 * At start: a chain that still ends in unkeyed links (written before AUDIT_CHAIN_KEY) gets a keyed
 * link at once, which seals them (legacySeal), instead of waiting for the next operator action;
 * `audit verify` refuses unsealed unkeyed links. Checked and appended under the chain lock, so
 * processes starting together seal once.
 */
@Injectable()
export class AuditChainSeal implements OnApplicationBootstrap {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly recorder: AuditRecorder,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await inTransaction(this.pool, async (db) => {
      const { rows } = await db.query<LockedHead>(LOCK_HEAD_SQL);
      if (!(await legacySeal(db, rows[0])).sealsLegacyLinks) return;
      await this.recorder.recordWith(db, systemOperator(`audit-seal-${randomUUID()}`), SEAL_ACTION, 'audit-chain', 'seal the links written before AUDIT_CHAIN_KEY');
    });
  }
}
