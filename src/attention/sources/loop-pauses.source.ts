import type { AttentionSource } from '../attention-source';
import { iso, oneLine } from '../attention-source';

/** Whole loops an operator paused (the job worker, the poll scheduler) and that are still paused. Info: deliberate, but nothing runs until resumed. */
export const loopPausesSource: AttentionSource = {
  name: 'loop-pauses',
  kinds: ['paused'],
  reach: 'shared',
  items: ({ ops }) =>
    ops.pauses.map((p) => ({
      kind: 'paused',
      severity: 'info',
      since: iso(p.pausedAt),
      summary: `${p.loop} paused by ${p.pausedBy}${p.resumeAt ? ` until ${iso(p.resumeAt)}` : ''}: ${oneLine(p.reason)}`,
      href: '/api/ops/health',
      tenant: null,
      subject: p.loop,
    })),
};
