import { Inject, Injectable } from '@nestjs/common';
import type { PauseRow } from '../../projections/pauses/pause-row';
import { AuditRecorder } from '../audit/audit-recorder';
import type { OperatorContext } from '../audit/operator-context';
import { sqlOf } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, fold } from '../shared/decider';
import { PauseCommand, pauseDecider } from './pause.decider';
import { PauseEvent, PauseScope, PauseSubjectRef, pauseStream } from './pause.events';
import { Holds } from './holds.service';

/** The audit action of a pause or resume of `scope` (`job.pause`, `tenant_jobs.resume`, `tenant_targets.auto_resume`). */
export const pauseAction = (scope: PauseScope | 'target', verb: 'pause' | 'resume' | 'auto_resume') =>
  `${scope === 'tenant-jobs' ? 'tenant_jobs' : scope === 'tenant-targets' ? 'tenant_targets' : scope}.${verb}`;

/** What the audit entry names as acted on. */
const auditTarget = (s: PauseSubjectRef) => (s.scope === 'job' ? `job:${s.subject}` : `tenant:${s.subject}`);

/**
 * Operators pause and resume one job, or every job or every target of a tenant (the callers in
 * src/jobs and src/polling check that the subject exists and is the caller's). Each action is one
 * unit of work: the audit entry, the Paused/Resumed event and its rm_pauses row (ADR 0008).
 */
@Injectable()
export class Pauses {
  constructor(
    private readonly audit: AuditRecorder,
    private readonly holds: Holds,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  pause(subject: PauseSubjectRef, op: OperatorContext, reason: string, resumeAt: string | null): Promise<PauseRow> {
    return this.act(subject, op, pauseAction(subject.scope, 'pause'), reason, { resumeAt }, (now) => ({
      kind: 'pause',
      subject,
      reason,
      resumeAt,
      actor: op.actor,
      now,
    }));
  }

  resume(subject: PauseSubjectRef, op: OperatorContext, reason: string): Promise<PauseRow> {
    return this.act(subject, op, pauseAction(subject.scope, 'resume'), reason, {}, (now) => ({ kind: 'resume', subject, reason, actor: op.actor, now }));
  }

  /** The system records a pause that ran out (nothing when it was resumed meanwhile). */
  expire(subject: PauseSubjectRef, op: OperatorContext): Promise<PauseRow | null> {
    return this.act(subject, op, pauseAction(subject.scope, 'auto_resume'), 'resumeAt reached', {}, (now) => ({ kind: 'expire', subject, now }));
  }

  private async act(
    subject: PauseSubjectRef,
    op: OperatorContext,
    action: string,
    reason: string,
    details: Record<string, unknown>,
    command: (now: Date) => PauseCommand,
  ): Promise<PauseRow> {
    const stream = pauseStream(subject.scope, subject.subject);
    const row = await this.audit.act(
      op,
      { action, target: auditTarget(subject), reason },
      {
        apply: async (unit) => {
          const history = await unit.uow.readStream(stream);
          const state = fold(
            pauseDecider,
            history.map((e) => e as unknown as PauseEvent),
          );
          const events = eventsOrThrow(pauseDecider.decide(command(this.clock.now()), state));
          // A refusal throws above: the unit rolls back and nothing is appended, not even the entry.
          if (events.length) {
            await unit.record('applied', details);
            await unit.uow.append(
              stream,
              events.map((e) => ({ ...e, metadata: unit.metadata })),
              history.length ? BigInt(history.length - 1) : 'no_stream',
            );
          }
          const { rows } = await sqlOf(unit.uow).query<{ doc: PauseRow }>('SELECT doc FROM rm_pauses WHERE key = $1', [`${subject.scope}:${subject.subject}`]);
          return rows[0]?.doc ?? null;
        },
      },
      { conflictRetries: 3 },
    );
    await this.holds.refresh();
    return row as PauseRow;
  }
}
