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
import { pollRules } from './poll-rules';
import { TargetCommands } from './target-commands.service';
import { TargetReadModel } from './target-read-model';
import { TargetRepository } from './target-repository';
import type { TargetSpec } from './events/target-spec';

/**
 * Makes the registered targets match OPSLEDGER_CONFIG at start: one `config.reconcile` audit
 * entry and every TargetRegistered / TargetChanged / TargetRemoved it causes (its metadata on
 * each) in one unit of work. Safe when several processes start at once.
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
    const reason = `OPSLEDGER_CONFIG ${this.config.core.configFile ?? '(none)'}`;
    const counts = await this.audit.act(
      systemOperator(randomUUID()),
      { action: 'config.reconcile', target: null, reason },
      {
        // Planned inside the unit: a peer process reconciling at the same moment went first (the
        // chain head orders them), so this one sees its targets and has nothing left to do.
        apply: async (unit) => {
          const current = [...(await this.repo.loadAll(undefined, unit.uow)).values()].flatMap((l) => (l.state ? [l.state] : []));
          const plan = reconcilePlan(this.declared, current);
          const counts = { added: plan.added.length, changed: plan.changed.length, removed: plan.removed.length };
          if (!counts.added && !counts.changed && !counts.removed) return counts;
          await unit.record('applied', {
            added: plan.added.map((s) => `${s.type}::${s.name}`),
            changed: plan.changed.map((s) => `${s.type}::${s.name}`),
            removed: plan.removed,
          });
          for (const spec of plan.added) await this.commands.reconcileIn(unit, { register: spec });
          for (const spec of plan.changed) await this.commands.reconcileIn(unit, { replace: spec });
          for (const key of plan.removed) await this.commands.reconcileIn(unit, { remove: key });
          return counts;
        },
      },
      { conflictRetries: 5 },
    );
    if (counts.added || counts.changed || counts.removed) this.log.info({ event: 'targets.reconciled', ...counts }, 'config file targets reconciled');
    return counts;
  }
}
