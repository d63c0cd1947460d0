import type { AttentionItem, Severity } from './attention-item';
import { rankAttention } from './rank';

const item = (kind: string, severity: Severity, since: string, subject = kind, tenant: string | null = null): AttentionItem => ({
  kind,
  severity,
  since,
  summary: `${kind} ${subject}`,
  href: '/api/x',
  tenant,
  subject,
});
const order = (items: AttentionItem[]) => rankAttention(items).map((i) => `${i.severity}:${i.kind}:${i.subject}`);

describe('rankAttention: severity, then age', () => {
  it('puts every critical item before every warning, and warnings before info, whatever their age', () => {
    const items = [
      item('paused', 'info', '2026-03-01T00:00:00Z'),
      item('breaker', 'warning', '2026-03-02T09:00:00Z'),
      item('dead_letter', 'critical', '2026-03-02T10:00:00Z'),
      item('failed_run', 'warning', '2026-03-01T12:00:00Z'),
    ];
    expect(order(items)).toEqual(['critical:dead_letter:dead_letter', 'warning:failed_run:failed_run', 'warning:breaker:breaker', 'info:paused:paused']);
  });

  it('within one severity, the oldest `since` first (the longest-running problem)', () => {
    const items = [
      item('breaker', 'warning', '2026-03-02T10:00:00Z', 'svc::b'),
      item('breaker', 'warning', '2026-03-02T08:00:00Z', 'svc::a'),
      item('job_piling_up', 'warning', '2026-03-02T09:00:00Z', 'sync'),
    ];
    expect(order(items)).toEqual(['warning:breaker:svc::a', 'warning:job_piling_up:sync', 'warning:breaker:svc::b']);
  });

  it('keeps one order for items of one instant (kind, subject, tenant), whatever order they came in', () => {
    const same = '2026-03-02T10:00:00Z';
    const items = [item('paused', 'info', same, 'svc::x', 'globex'), item('paused', 'info', same, 'svc::x', 'acme'), item('breaker', 'info', same, 'svc::z')];
    const expected = ['breaker:svc::z:null', 'paused:svc::x:acme', 'paused:svc::x:globex'];
    expect(rankAttention(items).map((i) => `${i.kind}:${i.subject}:${i.tenant}`)).toEqual(expected);
    expect(rankAttention([...items].reverse()).map((i) => `${i.kind}:${i.subject}:${i.tenant}`)).toEqual(expected);
  });

  it('does not change its input', () => {
    const items = [item('paused', 'info', '2026-03-01T00:00:00Z'), item('dead_letter', 'critical', '2026-03-02T00:00:00Z')];
    rankAttention(items);
    expect(items.map((i) => i.kind)).toEqual(['paused', 'dead_letter']);
  });
});
