import { randomUUID } from 'node:crypto';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { sqlOf } from '../event-store/unit-of-work';
import { legacySeal, LOCK_HEAD_SQL, LockedHead, SEAL_ACTION } from './audit-chain';
import { AuditRecorder } from './audit-recorder';
import { systemOperator } from './operator-context';

/**
 * At start: a chain that still ends in unkeyed links (written before AUDIT_CHAIN_KEY) gets a keyed
 * link at once, which seals them (legacySeal), instead of waiting for the next operator action;
 * `audit verify` refuses unsealed unkeyed links. Decided inside the recorder's unit, under the
 * chain head lock, so processes starting together seal once, and a chain that needs no seal gets
 * no entry.
 */
@Injectable()
export class AuditChainSeal implements OnApplicationBootstrap {
  constructor(private readonly recorder: AuditRecorder) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.recorder.act(
      systemOperator(`audit-seal-${randomUUID()}`),
      { action: SEAL_ACTION, target: 'audit-chain', reason: 'seal the links written before AUDIT_CHAIN_KEY' },
      {
        apply: async (unit) => {
          const db = sqlOf(unit.uow);
          const { rows } = await db.query<LockedHead>(LOCK_HEAD_SQL);
          if ((await legacySeal(unit.uow, rows[0])).sealsLegacyLinks) await unit.record('applied');
        },
      },
    );
  }
}
