/**
 * Where each log family of docs/operations.md is triggered and read back. Families not named here
 * are rows of the table-driven e2e (LOG_FAMILIES_E2E); the rest need a process of their own, a
 * broken or raced database, or an upgrade, so their tests live elsewhere.
 */
export const LOG_FAMILIES_E2E = 'test/observability/log-families.e2e.spec.ts';

export const LOG_FAMILY_TESTS: Readonly<Record<string, { readonly file: string; readonly reads?: string }>> = {
  'audit.<action>': { file: LOG_FAMILIES_E2E, reads: 'audit.job.run' },
  'background_job_cron.failed': { file: 'test/observability/job-log-families.spec.ts' },
  'background_job.claim_conflict': { file: 'test/observability/job-log-families.spec.ts' },
  'worker.reaped': { file: 'test/observability/job-log-families.spec.ts' },
  'webhook.delivery_failed': { file: 'test/security/egress-webhook.e2e.spec.ts' },
  'worker.runs_given_back': { file: 'test/observability/job-log-families.spec.ts' },
  'worker.return_refused': { file: 'test/observability/job-log-families.spec.ts' },
  'worker.rejoined': { file: 'test/observability/job-log-families.spec.ts' },
  'secrets.key_generated': { file: 'test/process/start-stop.e2e.spec.ts' },
  'auth.bootstrap_token_written': { file: 'test/security/npm-start-sigterm.e2e.spec.ts' },
  'process.started': { file: 'test/process/start-stop.e2e.spec.ts' },
  'process.stopping': { file: 'test/process/start-stop.e2e.spec.ts' },
  'process.stopped': { file: 'test/process/start-stop.e2e.spec.ts' },
  'auth.token_hashes_rekeyed': { file: 'test/security/token-digests.e2e.spec.ts' },
  'http.database_unavailable': { file: 'test/security/database-down.e2e.spec.ts' },
  'session.sweep_failed': { file: 'test/console/console-log-families.e2e.spec.ts' },
  'stream.read_failed': { file: 'test/console/console-log-families.e2e.spec.ts' },
  'console.not_built': { file: 'test/console/console-log-families.e2e.spec.ts' },
  'maintenance.refresh_failed': { file: 'test/maintenance/maintenance.e2e.spec.ts' },
  'maintenance.record_failed': { file: 'test/maintenance/maintenance.e2e.spec.ts' },
};
