import { Inject, Injectable } from '@nestjs/common';
import { ActionUnit, AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext, systemOperator } from '../audit/operator-context';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { EventMetadata } from '../event-store/envelope';
import type { UnitOfWork } from '../event-store/unit-of-work';
import { eventsOrThrow } from '../shared/decider';
import { BadInput } from '../shared/errors';
import { Clock, CLOCK } from '../shared/clock';
import { TargetEvent, targetEventSchemaVersion } from './events/target.events';
import { ProbeRegistry } from './probes/probe-registry';
import { pollRules } from './poll-rules';
import { TargetCommand, targetDecider } from './target.decider';
import { TargetRepository } from './target-repository';
import { FreshnessObjective, TargetSource, TargetSpec, targetStream } from './events/target-spec';
import { evolveTarget, TargetState } from './target.state';

export interface PatchTarget {
  readonly displayName?: string;
  readonly probe?: TargetSpec['probe'];
  readonly intervalSeconds?: number;
  readonly adaptive?: boolean;
  readonly paused?: boolean;
}

/** Retries of an operator action whose target moved meanwhile (a poll outcome): each re-decides on the fresh state. */
const CONFLICT_RETRIES = 5;

/**
 * Thin shell around the target decider, one unit of work per operator action: load the target
 * inside the unit (so it is decided on the state it commits on), decide (a rejection or a no-op
 * appends nothing, not even the audit entry), record the action, append with its metadata.
 */
@Injectable()
export class TargetCommands {
  constructor(
    private readonly repo: TargetRepository,
    private readonly audit: AuditRecorder,
    private readonly probes: ProbeRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private decider() {
    return targetDecider({ rules: pollRules(this.config.polling), random: Math.random, intervalFactor: 1 });
  }

  checkProbeKind(kind: string, field = 'probe.kind'): void {
    if (!this.probes.has(kind)) throw BadInput.field(field, `unknown probe kind "${kind}"; known: ${this.probes.kindNames().join(', ')}`);
  }

  register(spec: TargetSpec, source: TargetSource, op: OperatorContext, reason: string | undefined) {
    this.checkProbeKind(spec.probe.kind);
    const key = `${spec.type}::${spec.name}`;
    return this.run(key, (at) => [{ type: 'RegisterTarget', spec, source, at }], op, 'target.register', reason ?? '', { spec });
  }

  change(key: string, patch: PatchTarget, op: OperatorContext, reason: string | undefined) {
    if (patch.probe) this.checkProbeKind(patch.probe.kind);
    return this.run(
      key,
      (at, s) => {
        if (!s) return [{ type: 'ChangeTarget', key, spec: {} as TargetSpec, at }]; // → not found
        const { paused, ...specPatch } = patch;
        // undefined means "not given": JSON drops it so it does not erase a field.
        const cmds: TargetCommand[] = [{ type: 'ChangeTarget', key, spec: { ...s.spec, ...JSON.parse(JSON.stringify(specPatch)) }, at }];
        const who = { reason: reason ?? '', actor: op.actor };
        if (paused !== undefined) cmds.push(paused ? { type: 'PauseTarget', key, at, ...who } : { type: 'ResumeTarget', key, at, ...who });
        return cmds;
      },
      op,
      patch.paused === true ? 'target.pause' : patch.paused === false ? 'target.resume' : 'target.change',
      reason ?? '',
      { patch },
    );
  }

  /** Pause polling with a reason and an optional resumeAt; 409 when paused already (as every pause). */
  pause(key: string, op: OperatorContext, reason: string, resumeAt: string | null) {
    return this.run(key, (at) => [{ type: 'PauseTarget', key, at, reason, actor: op.actor, resumeAt, strict: true }], op, 'target.pause', reason, {
      resumeAt,
    });
  }

  /** Resume polling at the target's next due time; 409 when not paused. */
  resume(key: string, op: OperatorContext, reason: string) {
    return this.run(key, (at) => [{ type: 'ResumeTarget', key, at, reason, actor: op.actor, strict: true }], op, 'target.resume', reason);
  }

  /** The system records a target pause that ran out at its resumeAt (nothing when it was resumed meanwhile). */
  autoResume(key: string) {
    return this.run(
      key,
      (at) => [{ type: 'ExpireTargetPause', key, at }],
      systemOperator(`pause-expiry-${randomUUID()}`),
      'target.auto_resume',
      'resumeAt reached',
    );
  }

  remove(key: string, op: OperatorContext, reason: string | undefined) {
    return this.run(key, (at) => [{ type: 'RemoveTarget', key, at }], op, 'target.remove', reason ?? '');
  }

  /**
   * Config reconcile, inside its own audited unit: register, replace the spec (fields dropped from
   * the file are dropped) or remove, each decided on the state the unit sees.
   */
  reconcileIn(unit: ActionUnit, change: { register: TargetSpec } | { replace: TargetSpec } | { remove: string }) {
    if ('register' in change) {
      const spec = change.register;
      return this.decideAndAppend(unit.uow, `${spec.type}::${spec.name}`, (at) => [{ type: 'RegisterTarget', spec, source: 'config', at }], unit.metadata);
    }
    if ('replace' in change) {
      const spec = change.replace;
      return this.decideAndAppend(
        unit.uow,
        `${spec.type}::${spec.name}`,
        (at) => [{ type: 'ChangeTarget', key: `${spec.type}::${spec.name}`, spec, at }],
        unit.metadata,
      );
    }
    return this.decideAndAppend(unit.uow, change.remove, (at) => [{ type: 'RemoveTarget', key: change.remove, at }], unit.metadata);
  }

  redrive(key: string, op: OperatorContext, reason: string) {
    return this.run(key, (at) => [{ type: 'RedriveTarget', key, at }], op, 'target.redrive', reason);
  }

  resetBreaker(key: string, op: OperatorContext, reason: string) {
    return this.run(key, (at) => [{ type: 'ResetBreaker', key, at }], op, 'target.reset_breaker', reason);
  }

  pollNow(key: string, op: OperatorContext, reason: string) {
    return this.run(key, (at) => [{ type: 'RequestPoll', key, at }], op, 'target.poll_now', reason);
  }

  setFreshnessObjective(key: string, objective: FreshnessObjective, op: OperatorContext, reason: string) {
    return this.run(key, (at) => [{ type: 'SetFreshnessObjective', key, objective, at }], op, 'target.set_freshness_objective', reason, { objective });
  }

  clearFreshnessObjective(key: string, op: OperatorContext, reason: string) {
    return this.run(key, (at) => [{ type: 'ClearFreshnessObjective', key, at }], op, 'target.clear_freshness_objective', reason);
  }

  /** Decides a sequence of commands, each against the state the previous ones produced; a rejection throws (mapped to 4xx in one place). */
  private decideAll(cmds: TargetCommand[], s: TargetState | null): TargetEvent[] {
    const decider = this.decider();
    const out: TargetEvent[] = [];
    let cur = s;
    for (const c of cmds) {
      const evs = eventsOrThrow(decider.decide(c, cur));
      for (const e of evs) cur = evolveTarget(cur, e);
      out.push(...evs);
    }
    return out;
  }

  private run(
    key: string,
    commands: (at: Date, s: TargetState | null) => TargetCommand[],
    op: OperatorContext,
    action: string,
    reason: string,
    details?: Record<string, unknown>,
  ): Promise<{ state: TargetState | null; events: TargetEvent[] }> {
    return this.audit.act(
      op,
      { action, target: `target:${key}`, reason },
      {
        apply: (unit) => this.decideAndAppend(unit.uow, key, commands, unit.metadata, () => unit.record('applied', details)),
      },
      { conflictRetries: CONFLICT_RETRIES },
    );
  }

  /**
   * Load in the unit → decide → (record the audit entry) → append at the loaded revision. A
   * concurrent append to the target fails the unit with ExpectedVersionConflict (the caller re-runs it).
   */
  private async decideAndAppend(
    uow: UnitOfWork,
    key: string,
    commands: (at: Date, s: TargetState | null) => TargetCommand[],
    metadata: Partial<EventMetadata>,
    beforeAppend?: () => Promise<void>,
  ): Promise<{ state: TargetState | null; events: TargetEvent[] }> {
    const { state, revision } = await this.repo.loadIn(uow, key);
    const events = this.decideAll(commands(this.clock.now(), state), state);
    if (!events.length) return { state, events };
    await beforeAppend?.();
    await uow.append(
      targetStream(key),
      events.map((e) => ({ type: e.type, data: e.data, schemaVersion: targetEventSchemaVersion(e.type), metadata })),
      revision < 0n ? 'no_stream' : revision,
    );
    return { state: events.reduce<TargetState | null>((st, e) => evolveTarget(st, e), state), events };
  }
}
