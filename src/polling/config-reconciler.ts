import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AuditRecorder } from '../audit/audit-recorder';
import { systemOperator } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { readConfigFile } from '../config/config-file';
import { APP_CONFIG } from '../config/config.module';
import { LOGGER } from '../shared/logger';
import { parseConfigTargets, reconcilePlan } from './config-targets';
import { ProbeRegistry } from './probes/probe-registry';
import { pollRules } from './scheduler/poll-scheduler';
import { TargetCommands } from './target-commands.service';
import { TargetReadModel } from './target-read-model';
import { TargetRepository } from './target-repository';
import type { TargetSpec } from './target-spec';

/**
 * Makes the registered targets match OPSLEDGER_CONFIG at start: one `config.reconcile` audit
 * entry, its metadata on every TargetRegistered / TargetChanged / TargetRemoved it causes.
 * Safe when several processes start at once (expected-revision appends re-decide to no-ops).
 */
@Injectable()
export class ConfigReconciler {
  private declared: TargetSpec[] = [];

  constructor(
    private readonly repo: TargetRepository,
    private readonly read: TargetReadModel,
    private readonly commands: TargetCommands,
    private readonly audit: AuditRecorder,
    private readonly probes: ProbeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Throws ConfigError naming the entry and field: start-up stops before anything is written. */
  validate(): void {
    this.declared = parseConfigTargets(readConfigFile(this.config.core.configFile).targets, this.probes.kindNames(), pollRules(this.config.polling));
  }

  async reconcile(): Promise<{ added: number; changed: number; removed: number }> {
    // Nothing declared and (per the read model) nothing declared before: no need to load every target.
    if (!this.declared.length && !(await this.read.anyFromConfig())) return { added: 0, changed: 0, removed: 0 };
    const current = [...(await this.repo.loadAll()).values()].flatMap((l) => (l.state ? [l.state] : []));
    const plan = reconcilePlan(this.declared, current);
    const counts = { added: plan.added.length, changed: plan.changed.length, removed: plan.removed.length };
    if (!counts.added && !counts.changed && !counts.removed) return counts;
    const meta = await this.audit.record(systemOperator(randomUUID()), 'config.reconcile', null, `OPSLEDGER_CONFIG ${this.config.core.configFile ?? '(none)'}`, {
      added: plan.added.map((s) => `${s.type}::${s.name}`),
      changed: plan.changed.map((s) => `${s.type}::${s.name}`),
      removed: plan.removed,
    });
    for (const spec of plan.added) await this.commands.register(spec, 'config', null, undefined, meta).catch((err) => this.skip(spec, err));
    for (const spec of plan.changed) await this.commands.replaceSpec(spec, meta);
    for (const key of plan.removed) await this.commands.remove(key, null, undefined, meta).catch(() => undefined);
    this.log.info({ event: 'targets.reconciled', ...counts }, 'config file targets reconciled');
    return counts;
  }

  /** Another process registered it a moment earlier: nothing to do. */
  private skip(spec: TargetSpec, err: unknown): void {
    this.log.debug({ event: 'targets.reconcile_skipped', key: `${spec.type}::${spec.name}`, err }, 'already registered');
  }
}
