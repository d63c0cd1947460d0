import pino from 'pino';
import { parseAllowList } from '../../src/shared/allow-list';
import { Egress } from '../../src/egress/egress-fetch';

/**
 * What the test harnesses open: their fake targets listen on 127.0.0.1, which the egress policy
 * refuses by default. Security tests (test/security/) run without it.
 */
export const TEST_EGRESS_ALLOW = '127.0.0.1/32';

/** An Egress as the service builds one; close() it when done (it pools connections). */
export function testEgress(opts: { allow?: string; ownPorts?: number[]; log?: pino.Logger } = {}): Egress {
  return new Egress({
    allow: parseAllowList(opts.allow ?? TEST_EGRESS_ALLOW),
    ownPorts: () => opts.ownPorts ?? [],
    connectTimeoutMs: 5000,
    log: opts.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
}
