/** Name of the shared per-minute counter of failed authentications (read by the auth_failures_spike alert). */
export const AUTH_FAILURE_COUNTER = 'auth_failure';
