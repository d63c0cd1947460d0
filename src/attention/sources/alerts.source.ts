import { alertSeverity } from '../../alerts/alert-rules';
import type { AttentionSource } from '../attention-source';
import { iso, oneLine } from '../attention-source';

/**
 * Firing alerts, at the severity docker/prometheus/alerts.yml gives their rule (cron_failing is
 * critical, the others warnings). Unscoped callers only: the rules count every tenant's runs and
 * targets, and their summaries name jobs (GET /api/alerts is installation-wide for the same reason).
 */
export const alertsSource: AttentionSource = {
  name: 'alerts',
  kinds: ['alert'],
  reach: 'installation',
  items: ({ alerts }) =>
    alerts
      .filter((a) => a.state === 'firing')
      .map((a) => ({
        kind: 'alert',
        severity: alertSeverity(a.rule),
        since: iso(a.firedAt ?? a.pendingSince!),
        summary: `${a.rule}: ${oneLine(a.summary)}`,
        href: '/api/alerts',
        tenant: null,
        subject: a.rule,
      })),
};
