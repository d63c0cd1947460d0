import { HttpException } from '@nestjs/common';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';

/** Domain rejections (TokenRejected, TargetRejected, ...) carry one of these kinds. */
const KIND_STATUS: Record<string, number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409 };

/**
 * The 4xx status a refused command answers with, or null when the error is a failure (5xx).
 * An ExpectedVersionConflict that reaches this far is a concurrent change the command did not (or
 * could no longer) re-decide on: 409, the caller may retry.
 */
export function rejectionStatus(err: unknown): number | null {
  if (err instanceof HttpException) {
    const status = err.getStatus();
    return status >= 400 && status < 500 ? status : null;
  }
  if (err instanceof ExpectedVersionConflict) return 409;
  const kind = (err as { kind?: unknown } | null)?.kind;
  return err instanceof Error && typeof kind === 'string' && kind in KIND_STATUS ? KIND_STATUS[kind] : null;
}
