import { Decider } from '../shared/decider';
import { AlertEvent } from './alert.events';
import { AlertRule, AlertThresholds, RuleReading } from './alert-rules';
import { AlertSignals } from './alert-signals';

/** Whether an alert is firing, from its stream (`alert-<rule>`). */
export interface AlertState {
  readonly firing: boolean;
  readonly firedAt: string | null;
}

export const initialAlertState: AlertState = { firing: false, firedAt: null };

/**
 * One evaluation of a rule. How long its condition has held is not a fact in the log: it lives in
 * the evaluating process's memory (like Prometheus `for`) and comes in the command.
 */
export interface EvaluateAlert {
  readonly rule: string;
  readonly reading: RuleReading;
  /** How long the condition must hold before the alert fires. */
  readonly forMs: number;
  /** Since when the condition has held without a break; null while it does not hold. */
  readonly pendingSince: string | null;
  readonly now: Date;
}

/** The evaluation of `rule` now: its pending time carries on from `pendingSince` while the condition holds, and starts over once it does not. */
export function alertEvaluation(rule: AlertRule, signals: AlertSignals, t: AlertThresholds, pendingSince: string | null, now: Date): EvaluateAlert {
  const reading = rule.read(signals, t);
  return { rule: rule.name, reading, forMs: rule.forMs(t), pendingSince: reading.active ? (pendingSince ?? now.toISOString()) : null, now };
}

export function evolveAlert(state: AlertState, e: AlertEvent): AlertState {
  return e.type === 'AlertFired' ? { firing: true, firedAt: e.data.firedAt } : initialAlertState;
}

/** Fires once the condition has held for its time, resolves when it stops holding; never rejects. */
export const alertDecider: Decider<AlertState, EvaluateAlert, AlertEvent> = {
  initialState: initialAlertState,
  evolve: evolveAlert,
  decide(c, state) {
    const at = c.now.toISOString();
    const { summary, value } = c.reading;
    if (c.reading.active) {
      const pendingSince = c.pendingSince ?? at;
      if (state.firing || c.now.getTime() - Date.parse(pendingSince) < c.forMs) return [];
      return [{ type: 'AlertFired', data: { rule: c.rule, summary, value, pendingSince, firedAt: at } }];
    }
    if (!state.firing) return [];
    return [{ type: 'AlertResolved', data: { rule: c.rule, summary, value, firedAt: state.firedAt ?? at, resolvedAt: at } }];
  },
};
