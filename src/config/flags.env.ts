import { int } from './env-var';

export const flagsEnv = {
  expirySweepMs: int(
    'FLAG_EXPIRY_SWEEP_MS',
    10_000,
    'How often one process records temporary flag values that have reached their expiresAt (readers stop serving them at expiresAt whatever this is).',
    { min: 10 },
  ),
} as const;
