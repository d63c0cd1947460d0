import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { OperatorContext } from '../audit/operator-context';

/** The audit actor of a command-line action: `cli:<os user>` (a name no token may take). */
export function cliOperator(): OperatorContext {
  let who = 'unknown';
  try {
    who = userInfo().username;
  } catch {
    /* no passwd entry (containers) */
  }
  return { actor: `cli:${who}`, role: 'admin', tenant: null, requestId: randomUUID(), clientIp: '' };
}
