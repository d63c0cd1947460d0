import type { FreshnessTargetRow } from '../../projections/slo-freshness/freshness-rows';
import { durationLabel } from '../shared/duration-label';
import type { FreshnessReport } from './freshness-slo';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const seconds = (ms: number) => Math.round(ms) / 1000;
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const pct = (v: number | null) => (v === null ? null : round(v, 4));

/** The burn-rate thresholds the alert pair applies (ALERT_SLO_*), to say in the body whether each would fire. */
export interface BurnAlertConfig {
  readonly fast: { readonly rate: number; readonly windowsSeconds: readonly [number, number] };
  readonly slow: { readonly rate: number; readonly windowsSeconds: readonly [number, number] };
}

/** The burn windows a report is computed over, shortest first, in ms. */
export const burnWindowsMs = (c: BurnAlertConfig): number[] =>
  [...new Set([...c.fast.windowsSeconds, ...c.slow.windowsSeconds])].sort((a, b) => a - b).map((s) => s * 1000);

/** GET /api/targets/:key/slo (and each item of GET /api/slo). */
export function sloView(target: FreshnessTargetRow, r: FreshnessReport, alerts: BurnAlertConfig) {
  const burn = (s: number) => r.burnRates.get(s * 1000) ?? 0;
  const fires = (p: BurnAlertConfig['fast']) => burn(p.windowsSeconds[0]) > p.rate && burn(p.windowsSeconds[1]) > p.rate;
  const usedPercent = r.budgetMs > 0 ? (100 * r.budgetUsedMs) / r.budgetMs : null;
  return {
    key: target.key,
    tenant: target.tenant,
    objective: r.objective,
    at: iso(r.at),
    window: {
      from: iso(Math.max(r.window.from, target.registeredAt)),
      to: iso(r.at),
      measuredSeconds: seconds(r.window.measuredMs),
      pausedSeconds: seconds(r.window.pausedMs),
      maintenanceSeconds: seconds(r.window.maintenanceMs),
      staleSeconds: seconds(r.window.staleMs),
    },
    attainment: pct(r.attainment),
    errorBudget: {
      totalSeconds: seconds(r.budgetMs),
      usedSeconds: seconds(r.budgetUsedMs),
      leftSeconds: seconds(r.budgetMs - r.budgetUsedMs),
      usedPercent: pct(usedPercent),
      leftPercent: pct(usedPercent === null ? null : 100 - usedPercent),
    },
    burnRates: Object.fromEntries([...r.burnRates].map(([ms, rate]) => [durationLabel(ms / 1000), round(rate, 3)])),
    alerts: { fastBurn: fires(alerts.fast), slowBurn: fires(alerts.slow) },
    freshness: {
      state: r.current.state,
      lastSuccessAt: iso(r.current.lastSuccessAt),
      ageSeconds: r.current.lastSuccessAt === null ? null : seconds(r.at - r.current.lastSuccessAt),
      staleSince: iso(r.current.staleSince),
    },
  };
}

export type SloBody = ReturnType<typeof sloView>;

/** Worst first: least error budget left (none measured yet counts as all left), then by key. */
export const worstFirst = (a: SloBody, b: SloBody) => (a.errorBudget.leftPercent ?? 100) - (b.errorBudget.leftPercent ?? 100) || a.key.localeCompare(b.key);
