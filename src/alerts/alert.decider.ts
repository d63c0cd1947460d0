import { AlertEvent } from './alert.events';
import { AlertRule, AlertThresholds } from './alert-rules';
import { AlertSignals } from './alert-signals';

/** Firing state comes from the alert's stream; pending time lives in memory (like Prometheus `for`). */
export interface AlertState {
  readonly firing: boolean;
  readonly firedAt: string | null;
  readonly pendingSince: string | null;
}

export const initialAlertState: AlertState = { firing: false, firedAt: null, pendingSince: null };

export function evolveAlert(state: AlertState, e: AlertEvent): AlertState {
  return e.type === 'AlertFired' ? { firing: true, firedAt: e.data.firedAt, pendingSince: e.data.pendingSince } : { firing: false, firedAt: null, pendingSince: null };
}

/** One evaluation: the next state, and the event to append when the alert fires or resolves. */
export function decideAlert(rule: AlertRule, signals: AlertSignals, t: AlertThresholds, state: AlertState, now: Date): { state: AlertState; events: AlertEvent[] } {
  const r = rule.read(signals, t);
  const at = now.toISOString();
  if (r.active) {
    if (state.firing) return { state, events: [] };
    const pendingSince = state.pendingSince ?? at;
    if (now.getTime() - Date.parse(pendingSince) < rule.forMs(t)) return { state: { ...state, pendingSince }, events: [] };
    return { state: { firing: true, firedAt: at, pendingSince }, events: [{ type: 'AlertFired', data: { rule: rule.name, summary: r.summary, value: r.value, pendingSince, firedAt: at } }] };
  }
  if (!state.firing) return { state: initialAlertState, events: [] };
  return { state: initialAlertState, events: [{ type: 'AlertResolved', data: { rule: rule.name, summary: r.summary, value: r.value, firedAt: state.firedAt ?? at, resolvedAt: at } }] };
}
