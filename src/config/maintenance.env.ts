import { int } from './env-var';

export const maintenanceEnv = {
  retryAfterSeconds: int(
    'MAINTENANCE_RETRY_AFTER_SECONDS',
    300,
    'Retry-After of the 503 a tenant in maintenance gets when its window has no endsAt (with an endsAt: the seconds until then).',
    { min: 1, max: 86_400 },
  ),
  refreshMs: int(
    'MAINTENANCE_REFRESH_MS',
    1_000,
    "How often each process re-reads the tenants' maintenance windows for the request gate and the pause holds (a change made through this process applies at once).",
    { min: 10 },
  ),
  sweepMs: int(
    'MAINTENANCE_SWEEP_MS',
    5_000,
    'How often one process records that a scheduled maintenance window opened or closed (MaintenanceStarted/Ended); the effects follow the clock whatever this is.',
    { min: 10 },
  ),
} as const;
