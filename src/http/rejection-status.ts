import { HttpException } from '@nestjs/common';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { RejectedError, Rejection, RejectionCode } from '../shared/decider';

const ANSWER: Record<RejectionCode, { readonly status: number; readonly error: string }> = {
  invalid: { status: 400, error: 'Bad Request' },
  forbidden: { status: 403, error: 'Forbidden' },
  not_found: { status: 404, error: 'Not Found' },
  conflict: { status: 409, error: 'Conflict' },
};

/** The rejection a thrown error carries (a decider's, through `eventsOrThrow`), or null. */
export function rejectionOf(err: unknown): Rejection | null {
  return err instanceof RejectedError ? err.rejection : null;
}

/**
 * The one mapping of a rejected command to its HTTP answer, whatever the aggregate. The message
 * names the field first (as RejectedError's does); `invalid` also lists it as every other 400 does
 * (`BadInput.field`): `fields: [{ field, problem }]`.
 */
export function rejectionResponse(r: Rejection): { status: number; body: Record<string, unknown> } {
  const { status, error } = ANSWER[r.code];
  const message = r.field ? `${r.field}: ${r.reason}` : r.reason;
  if (r.code !== 'invalid') return { status, body: { statusCode: status, error, message } };
  return { status, body: { statusCode: status, error, message, fields: r.field ? [{ field: r.field, problem: r.reason }] : [] } };
}

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
  const rejection = rejectionOf(err);
  return rejection ? ANSWER[rejection.code].status : null;
}
