import type { PauseRow } from '../../projections/pauses/pause-row';
import { rfc3339 } from '../shared/clock';
import { NotFound } from '../shared/errors';
import type { Hold } from './holds';

/** A hold as the job inventory and the target views show it: held by what, whom, why, since and until when. */
export function holdView(h: Hold | null | undefined) {
  if (!h) return null;
  return { source: h.source, scope: h.scope, subject: h.subject, reason: h.reason, by: h.by, since: rfc3339(h.since), until: rfc3339(h.until) };
}

/** A pause as the pause and resume endpoints answer it (the rm_pauses row without its key). */
export function pauseView(r: PauseRow) {
  const { key: _key, ...rest } = r;
  return rest;
}

export const PAUSE_EXAMPLE = {
  scope: 'job',
  subject: 'nightly-report',
  tenant: 'acme',
  paused: true,
  reason: 'the SMTP relay is being replaced',
  pausedBy: 'alice',
  pausedAt: '2026-03-02T10:00:00.000Z',
  resumeAt: '2026-03-02T11:00:00.000Z',
  resumedBy: null,
  resumedAt: null,
  resumeReason: null,
  autoResumed: false,
};
export const RESUMED_EXAMPLE = { ...PAUSE_EXAMPLE, paused: false, resumedBy: 'bob', resumedAt: '2026-03-02T10:20:00.000Z', resumeReason: 'relay replaced' };

const TENANT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The tenant a tenant-wide pause names, as the caller may see it: a token scoped to another tenant
 * gets the 404 of a tenant that is not there (its existence is not revealed); so does a malformed name.
 */
export function visibleTenant(tenant: string, callerTenant: string | null): string {
  if (!TENANT.test(tenant) || tenant.length > 100 || (callerTenant !== null && callerTenant !== tenant)) throw new NotFound(`no tenant ${tenant}`);
  return tenant;
}
