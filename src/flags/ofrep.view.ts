import type { FlagRow } from '../../projections/flags/flag-row';
import { effectiveValue } from './flag-value';

/**
 * A flag as an OpenFeature Remote Evaluation Protocol (OFREP) evaluation: `key`, `value`,
 * `reason`, `variant`, `metadata`. No targeting: the context is accepted and not used, so the
 * reason is `STATIC` for an operator's value and `DEFAULT` for the default.
 */
export function ofrepEvaluation(row: FlagRow, now: Date) {
  const e = effectiveValue(row, now);
  return {
    key: row.key,
    value: e.value,
    reason: e.source === 'set' ? 'STATIC' : 'DEFAULT',
    variant: e.source,
    metadata: { type: row.type, ...(e.expiresAt ? { expiresAt: e.expiresAt } : {}) },
  };
}

/** OFREP's error body (`key`, `errorCode`, `errorDetails`) with this API's usual fields beside it. */
export function ofrepError(
  status: 400 | 404,
  key: string | null,
  errorCode: 'FLAG_NOT_FOUND' | 'INVALID_CONTEXT' | 'PARSE_ERROR',
  details: string,
  field?: string,
) {
  return {
    statusCode: status,
    error: status === 404 ? 'Not Found' : 'Bad Request',
    message: field ? `${field}: ${details}` : details,
    ...(field ? { fields: [{ field, problem: details }] } : {}),
    ...(key !== null ? { key } : {}),
    errorCode,
    errorDetails: field ? `${field}: ${details}` : details,
  };
}
