import type { AlertRow } from '../../projections/alerts/alerts.projection';
import type { WebhookDeliveryRow } from '../../projections/webhooks/webhook-delivery-row';
import type { OpsHealthAssessment } from '../health/ops-health.rules';
import type { JobSignal } from '../jobs/jobs-views.service';
import type { FailedRunGroup } from '../jobs/views/failed-runs';
import type { TargetState } from '../polling/target.state';

/**
 * The read-model state the attention sources look at, as of one instant: read live from the read
 * models, or folded from the log up to `?at=` (AttentionReader). Already narrowed to the caller's
 * tenant where the read model has tenants; the loops are the installation's.
 */
export interface AttentionFacts {
  readonly now: Date;
  /** The jobs' SLA signals (the inventory's `jobSla`). */
  readonly jobs: readonly JobSignal[];
  /** Failures of the last 30 days not resolved by a later success of the same job and tenant. */
  readonly failedRuns: readonly FailedRunGroup[];
  readonly targets: readonly TargetState[];
  /** Ops health's judgement of the loops (stale, stopped, crashed), the loop and subject pauses that hold, the tenants in maintenance. */
  readonly ops: Pick<OpsHealthAssessment, 'loops' | 'pauses' | 'held' | 'maintenance'>;
  /** The alert rules' latest states (empty for a tenant-scoped caller). */
  readonly alerts: readonly AlertRow[];
  /** Deliveries in the webhook failures inbox (status `failed`). */
  readonly webhookFailures: readonly WebhookDeliveryRow[];
}
