import { Inject, Injectable } from '@nestjs/common';
import type { SloBurn } from '../alerts/alert-signals';
import type { SloBurnSource } from '../alerts/alert-sources';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { windowMs } from '../polling/events/target-spec';
import { MAX_MAX_AGE_SECONDS } from '../polling/freshness-objective.dto';
import { Clock, CLOCK } from '../shared/clock';
import { NotFound } from '../shared/errors';
import { freshnessReport, FreshnessReport } from './freshness-slo';
import { SloRows } from './slo-rows';
import { freshnessHistory, TargetHistory } from './target-history';
import { BurnAlertConfig, burnWindowsMs, SloBody, sloView, worstFirst } from './slo.view';

/** A body and the instant it describes (the X-Opsledger-As-Of header). */
export interface AsOf<T> {
  readonly asOf: Date;
  readonly body: T;
}

/** Runs this old still decide whether the window's start is stale (the longest maxAge). */
const LOOK_BACK_MS = MAX_MAX_AGE_SECONDS * 1000;

/**
 * Freshness objectives: computed on request from rm_slo_freshness with the pure freshnessReport,
 * live or `?at=`; also the alert evaluator's burn-rate source and the metrics' figures.
 */
@Injectable()
export class SloService implements SloBurnSource {
  constructor(
    private readonly rows: SloRows,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get alertConfig(): BurnAlertConfig {
    const a = this.config.alerts;
    return {
      fast: { rate: a.sloFastBurnRate, windowsSeconds: a.sloFastBurnWindowsSeconds },
      slow: { rate: a.sloSlowBurnRate, windowsSeconds: a.sloSlowBurnWindowsSeconds },
    };
  }

  private report(h: TargetHistory, at: number): FreshnessReport {
    return freshnessReport(freshnessHistory(h), h.target.objective!, at, burnWindowsMs(this.alertConfig));
  }

  async one(key: string, at: Date | null, tenant: string | null): Promise<AsOf<SloBody>> {
    const now = at ?? this.clock.now();
    const h = await this.rows.one(key, tenant, at, now.getTime() - windowMs('30d') - LOOK_BACK_MS);
    if (!h) throw new NotFound(`no target ${key}`);
    if (!h.target.objective) throw new NotFound(`target ${key} has no freshness objective`);
    return { asOf: now, body: sloView(h.target, this.report(h, now.getTime()), this.alertConfig) };
  }

  async list(at: Date | null, tenant: string | null): Promise<AsOf<{ targets: SloBody[] }>> {
    const now = at ?? this.clock.now();
    const all = await this.rows.withObjective(tenant, at, now.getTime() - windowMs('30d') - LOOK_BACK_MS);
    return { asOf: now, body: { targets: all.map((h) => sloView(h.target, this.report(h, now.getTime()), this.alertConfig)).sort(worstFirst) } };
  }

  /** The alert pair's inputs: only the days the longest burn window needs. */
  async readSloBurn(now: Date): Promise<SloBurn[]> {
    const c = this.alertConfig;
    const longest = Math.max(c.fast.windowsSeconds[0], c.slow.windowsSeconds[0]) * 1000;
    const all = await this.rows.withObjective(null, null, now.getTime() - longest - LOOK_BACK_MS);
    return all.map((h) => {
      const burn = this.report(h, now.getTime()).burnRates;
      const pair = (w: readonly [number, number]) => [burn.get(w[0] * 1000) ?? 0, burn.get(w[1] * 1000) ?? 0] as const;
      return { target: h.target.key, fast: pair(c.fast.windowsSeconds), slow: pair(c.slow.windowsSeconds) };
    });
  }
}
