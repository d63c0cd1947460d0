import { Inject, Injectable } from '@nestjs/common';
import type { TargetState } from '../../projections/targets/target-state';
import { AuditRecorder } from '../audit/audit-recorder';
import type { OperatorContext } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { EventMetadata } from '../event-store/envelope';
import { BadInput, Conflict, NotFound } from '../shared/errors';
import { Clock, CLOCK } from '../shared/clock';
import type { TargetEvent } from './events/target.events';
import { ProbeRegistry } from './probes/probe-registry';
import { pollRules } from './scheduler/poll-scheduler';
import { DecideContext, decideTarget, TargetCommand, TargetRejected } from './target.decider';
import { TargetRepository } from './target-repository';
import type { TargetSource, TargetSpec } from './target-spec';
import { evolveTarget } from '../../projections/targets/target-state';

export interface PatchTarget {
  readonly displayName?: string;
  readonly probe?: TargetSpec['probe'];
  readonly intervalSeconds?: number;
  readonly adaptive?: boolean;
  readonly paused?: boolean;
}

/**
 * Thin shell around the target decider: load, decide (a rejection appends nothing, not even the
 * audit entry), record the operator action, append with its metadata.
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

  private ctx(): DecideContext {
    return { rules: pollRules(this.config.polling), random: Math.random, intervalFactor: 1 };
  }

  checkProbeKind(kind: string, field = 'probe.kind'): void {
    if (!this.probes.has(kind)) throw BadInput.field(field, `unknown probe kind "${kind}"; known: ${this.probes.kindNames().join(', ')}`);
  }

  register(spec: TargetSpec, source: TargetSource, op: OperatorContext | null, reason: string | undefined, metadata?: Partial<EventMetadata>) {
    this.checkProbeKind(spec.probe.kind);
    const key = `${spec.type}::${spec.name}`;
    return this.run(key, (at) => [{ type: 'RegisterTarget', spec, source, at }], op, 'target.register', reason ?? '', { spec }, metadata);
  }

  change(key: string, patch: PatchTarget, op: OperatorContext, reason: string | undefined) {
    if (patch.probe) this.checkProbeKind(patch.probe.kind);
    return this.run(
      key,
      (at, s) => {
        if (!s) return [{ type: 'ChangeTarget', spec: {} as TargetSpec, at }]; // → not found
        const { paused, ...specPatch } = patch;
        // undefined means "not given": JSON drops it so it does not erase a field.
        const cmds: TargetCommand[] = [{ type: 'ChangeTarget', spec: { ...s.spec, ...JSON.parse(JSON.stringify(specPatch)) }, at }];
        if (paused !== undefined) cmds.push({ type: paused ? 'PauseTarget' : 'ResumeTarget', at });
        return cmds;
      },
      op,
      patch.paused === true ? 'target.pause' : patch.paused === false ? 'target.resume' : 'target.change',
      reason ?? '',
      { patch },
    );
  }

  /** Config reconcile: the declared spec replaces the registered one (fields dropped from the file are dropped). */
  replaceSpec(spec: TargetSpec, metadata: Partial<EventMetadata>) {
    return this.run(`${spec.type}::${spec.name}`, (at) => [{ type: 'ChangeTarget', spec, at }], null, 'target.change', '', undefined, metadata);
  }

  remove(key: string, op: OperatorContext | null, reason: string | undefined, metadata?: Partial<EventMetadata>) {
    return this.run(key, (at) => [{ type: 'RemoveTarget', at }], op, 'target.remove', reason ?? '', undefined, metadata);
  }

  redrive(key: string, op: OperatorContext, reason: string) {
    return this.run(key, (at) => [{ type: 'RedriveTarget', at }], op, 'target.redrive', reason);
  }

  resetBreaker(key: string, op: OperatorContext, reason: string) {
    return this.run(key, (at) => [{ type: 'ResetBreaker', at }], op, 'target.reset_breaker', reason);
  }

  pollNow(key: string, op: OperatorContext, reason: string) {
    return this.run(key, (at) => [{ type: 'RequestPoll', at }], op, 'target.poll_now', reason);
  }

  /** Decides a sequence of commands, each against the state the previous ones produced. */
  private decideAll(cmds: TargetCommand[], s: TargetState | null): TargetEvent[] {
    const out: TargetEvent[] = [];
    let cur = s;
    for (const c of cmds) {
      const evs = decideTarget(c, cur, this.ctx());
      for (const e of evs) cur = evolveTarget(cur, e);
      out.push(...evs);
    }
    return out;
  }

  private async run(
    key: string,
    commands: (at: Date, s: TargetState | null) => TargetCommand[],
    op: OperatorContext | null,
    action: string,
    reason: string,
    details?: Record<string, unknown>,
    extraMetadata?: Partial<EventMetadata>,
  ): Promise<{ state: TargetState | null; events: TargetEvent[] }> {
    try {
      const first = await this.repo.load(key);
      const at = this.clock.now();
      const dry = this.decideAll(commands(at, first.state), first.state);
      if (!dry.length) return { state: first.state, events: [] };
      const metadata = op ? await this.audit.record(op, action, `target:${key}`, reason, details) : (extraMetadata ?? {});
      const res = await this.repo.execute(key, (s) => this.decideAll(commands(at, s), s), { ...metadata, ...(extraMetadata ?? {}) });
      return { state: res.state, events: res.events };
    } catch (err) {
      if (err instanceof TargetRejected) {
        if (err.kind === 'bad_input') throw BadInput.field(err.field ?? 'body', err.message);
        throw err.kind === 'not_found' ? new NotFound(`no target ${key}`) : new Conflict(err.message);
      }
      throw err;
    }
  }
}
