import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { FlagRow } from '../../projections/flags/flag-row';
import { AuditRecorder } from '../audit/audit-recorder';
import { OperatorContext } from '../audit/operator-context';
import { sqlOf } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { eventsOrThrow, fold } from '../shared/decider';
import { FlagCommand, flagDecider } from './flag.decider';
import { FlagEvent, flagStream } from './flag.events';

/** What an operator asks for; the handler adds key, actor, reason and the time. */
type Operated = Exclude<FlagCommand, { kind: 'expire' }>;
export type FlagChange = Operated extends infer C ? (C extends Operated ? Omit<C, 'key' | 'reason' | 'actor' | 'now'> : never) : never;

/** Define, redefine, set or clear: one audited unit of work answering with the flag's row. */
export class ChangeFlagCommand extends Command<FlagRow> {
  constructor(
    readonly ctx: OperatorContext,
    readonly key: string,
    readonly reason: string,
    readonly change: FlagChange,
  ) {
    super();
  }
}

const ACTIONS: Record<FlagChange['kind'], string> = { define: 'flag.define', redefine: 'flag.redefine', set: 'flag.set', clear: 'flag.clear' };

/** Load the flag's stream, decide, then audit entry + events + the inline row in one unit: all or nothing. */
export async function changeFlag(
  audit: AuditRecorder,
  ctx: OperatorContext,
  action: { action: string; key: string; reason: string },
  command: (now: Date) => FlagCommand,
  details: Record<string, unknown>,
  clock: Clock,
): Promise<FlagRow> {
  return audit.act(
    ctx,
    { action: action.action, target: `flag:${action.key}`, reason: action.reason },
    {
      apply: async (unit) => {
        const history = await unit.uow.readStream(flagStream(action.key));
        const state = fold(
          flagDecider,
          history.map((e) => e as unknown as FlagEvent),
        );
        const events = eventsOrThrow(flagDecider.decide(command(clock.now()), state));
        await unit.record('applied', details);
        await unit.uow.append(
          flagStream(action.key),
          events.map((e) => ({ ...e, metadata: unit.metadata })),
          history.length ? BigInt(history.length - 1) : 'no_stream',
        );
        const { rows } = await sqlOf(unit.uow).query<{ doc: FlagRow }>('SELECT doc FROM rm_flags WHERE key = $1', [action.key]);
        return rows[0].doc;
      },
    },
    { conflictRetries: 3 },
  );
}

@CommandHandler(ChangeFlagCommand)
export class ChangeFlagHandler implements ICommandHandler<ChangeFlagCommand> {
  constructor(
    private readonly audit: AuditRecorder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(c: ChangeFlagCommand): Promise<FlagRow> {
    const { kind, ...details } = c.change;
    return changeFlag(
      this.audit,
      c.ctx,
      { action: ACTIONS[kind], key: c.key, reason: c.reason },
      (now) => ({ ...c.change, key: c.key, reason: c.reason, actor: c.ctx.actor, now }) as FlagCommand,
      details,
      this.clock,
    );
  }
}
