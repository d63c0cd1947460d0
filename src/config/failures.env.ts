import { int } from './env-var';

/** Finding failures (docs/operations.md "Finding failures"). */
export const failuresEnv = {
  retryCapDefault: int(
    'FAILURES_RETRY_CAP_DEFAULT',
    100,
    'Most runs one bulk retry of a failure signature (POST /api/failures/groups/:signature/retry) retries when the request sets no cap; more are refused with 409.',
    { min: 1, max: 100_000 },
  ),
  retryCapMax: int(
    'FAILURES_RETRY_CAP_MAX',
    1_000,
    'Highest cap a bulk retry request may set (a higher one is refused with 400). At least FAILURES_RETRY_CAP_DEFAULT.',
    {
      min: 1,
      max: 100_000,
    },
  ),
} as const;
