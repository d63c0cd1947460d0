import type { AttentionSource } from '../attention-source';
import { iso, oneLine } from '../attention-source';

/** Tenants in maintenance now: their writes (or all requests) answer 503 and their polls and runs are held. Info: planned. */
export const maintenanceSource: AttentionSource = {
  name: 'maintenance',
  kinds: ['maintenance'],
  reach: 'tenant',
  items: ({ ops }) =>
    ops.maintenance.map((m) => ({
      kind: 'maintenance',
      severity: 'info',
      since: iso(m.startsAt),
      summary: `tenant ${m.tenant} in maintenance (${m.mode})${m.endsAt ? ` until ${iso(m.endsAt)}` : ''}: ${oneLine(m.banner)}`,
      href: `/api/tenants/${encodeURIComponent(m.tenant)}/maintenance`,
      tenant: m.tenant,
      subject: m.tenant,
    })),
};
