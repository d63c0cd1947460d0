import type { Pool } from 'pg';
import type { AuditMetadata, AuditRecorder } from '../../src/audit/audit-recorder';
import type { OperatorContext } from '../../src/audit/operator-context';
import { verifyAuditChain, VerifyOptions } from '../../src/audit/verify-audit-chain';
import { PostgresEventStore } from '../../src/event-store/postgres/postgres-event-store';
import { TEST_KEY_BYTES } from './server-keys';

/** verifyAuditChain over the database of `pool`, with the test AUDIT_CHAIN_KEY unless `options` says otherwise. */
export async function verifyTestChain(pool: Pool, options: Partial<VerifyOptions> = {}) {
  const store = new PostgresEventStore(pool);
  try {
    return await verifyAuditChain(store, { keys: [TEST_KEY_BYTES.auditChain], ...options });
  } finally {
    await store.close();
  }
}

/** An applied operator action without effects (a chain link and nothing else); its effects' metadata. */
export function recordAction(
  recorder: AuditRecorder,
  ctx: OperatorContext,
  action: string,
  target: string | null,
  reason: string,
  details?: Record<string, unknown>,
): Promise<AuditMetadata> {
  return recorder.act(
    ctx,
    { action, target, reason },
    {
      apply: async (unit) => {
        await unit.record('applied', details);
        return unit.metadata;
      },
    },
  );
}
