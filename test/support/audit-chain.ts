import type { Pool } from 'pg';
import type { AuditMetadata, AuditRecorder } from '../../src/audit/audit-recorder';
import type { OperatorContext } from '../../src/audit/operator-context';
import { verifyAuditChain } from '../../src/audit/verify-audit-chain';
import { TEST_KEY_BYTES } from './server-keys';

/** verifyAuditChain with the test AUDIT_CHAIN_KEY. */
export const verifyTestChain = (pool: Pool) => verifyAuditChain(pool, { keys: [TEST_KEY_BYTES.auditChain] });

/** An applied operator action without effects (a chain link and nothing else); its effects' metadata. */
export function recordAction(recorder: AuditRecorder, ctx: OperatorContext, action: string, target: string | null, reason: string, details?: Record<string, unknown>): Promise<AuditMetadata> {
  return recorder.act(ctx, { action, target, reason }, {
    apply: async (unit) => {
      await unit.record('applied', details);
      return unit.metadata;
    },
  });
}
