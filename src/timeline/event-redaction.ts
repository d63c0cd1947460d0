import { TOKEN_EVENT_SECRET_FIELDS } from '../auth/token.events';
import { SESSION_EVENT_SECRET_FIELDS } from '../console/session/session.events';
import { WEBHOOK_EVENT_SECRET_FIELDS } from '../webhooks/webhook.events';

/** Per event type, the data fields that never leave the service: token and session digests (docs/adr/0007), sealed webhook secrets. */
const SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = {
  ...TOKEN_EVENT_SECRET_FIELDS,
  ...SESSION_EVENT_SECRET_FIELDS,
  ...WEBHOOK_EVENT_SECRET_FIELDS,
};
/** Every token event loses these too, listed above or not (a field a future version adds). */
const TOKEN_EVENT = /^Token/;
const TOKEN_DIGEST_FIELDS = ['hash', 'digest'];

/**
 * An event's data as it may be served (timeline JSON and NDJSON). The one place raw event data
 * is turned into a response; a stored event keeps every field.
 */
export function publicEventData(type: string, data: unknown): unknown {
  const drop = [...(SECRET_FIELDS[type] ?? []), ...(TOKEN_EVENT.test(type) ? TOKEN_DIGEST_FIELDS : [])];
  if (!drop.length || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const f of drop) delete out[f];
  return out;
}
