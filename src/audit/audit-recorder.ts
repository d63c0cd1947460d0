import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { EventMetadata } from '../event-store/envelope';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { sqlOf, SqlSession, UnitOfWork } from '../event-store/unit-of-work';
import { Clock, CLOCK } from '../shared/clock';
import { LOGGER } from '../shared/logger';
import { rejectionStatus } from '../http/rejection-status';
import { keyId } from '../secrets/key-fingerprints';
import { SERVER_KEYS, ServerKeys } from '../secrets/server-keys';
import { CHAIN_VERSION, chainMac, legacySeal, LOCK_HEAD_SQL, LockedHead } from './audit-chain';
import { AuditOutcome, auditStream, OperatorActionData } from './operator-action-recorded.event';
import { OperatorContext } from './operator-context';

export type AuditMetadata = Partial<EventMetadata> & { causationId: string; correlationId: string };

/** What an operator did, to what, and why: the fixed part of its audit entry. */
export interface AuditedAction {
  readonly action: string;
  readonly target: string | null;
  readonly reason: string;
}

/** One attempt of an operator action, inside its unit of work. */
export interface ActionUnit {
  /** The unit: its appends must come after `record` (the log reads action, then effects). */
  readonly uow: UnitOfWork;
  /** For every effect event: causationId = the audit entry, correlationId = the request. */
  readonly metadata: AuditMetadata;
  /**
   * Appends the audit entry with what the attempt turned out to be; once, before the effects.
   * `target` names what was acted on when only the unit knew it (a token's name).
   */
  record(outcome: AuditOutcome, details?: Record<string, unknown>, target?: string): Promise<void>;
}

export interface ActionSteps<P, T> {
  /**
   * Outside any transaction: loads and checks that may refuse the action (a 4xx error). Nothing
   * that writes. Runs again before each retry.
   */
  readonly check?: () => Promise<P> | P;
  /**
   * Inside the unit of work. Reads go through `unit.uow` (its SQL session or readStream), never
   * through the pool: a unit holds a connection while it waits for the chain head, so a second
   * connection taken here could wait for a pool that only waiting units hold.
   */
  readonly apply: (unit: ActionUnit, checked: P) => Promise<T>;
}

export interface ActOptions {
  /** Re-run check + apply this many times when a concurrent writer moved a stream (then 409). */
  readonly conflictRetries?: number;
}

/**
 * Records operator actions so that the audit log never shows an action that did not happen: the
 * audit entry (OperatorActionRecorded) and every effect of the action commit in one unit of work,
 * or nothing does. Each entry is a link of one hash chain across all processes; every unit takes
 * the chain head row lock first, so entries are strictly ordered and, since nothing else takes
 * that lock, operator actions cannot deadlock on it. A link is an HMAC (AUDIT_CHAIN_KEY) over the
 * whole event as stored, data (outcome included) and metadata (audit-chain.ts, docs/adr/0007).
 * A refused attempt (4xx) appends nothing and is logged as `audit.<action>` with outcome `rejected`.
 */
@Injectable()
export class AuditRecorder {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(SERVER_KEYS) private readonly keys: Pick<ServerKeys, 'auditChain'>,
  ) {}

  async act<P, T>(ctx: OperatorContext, action: AuditedAction, steps: ActionSteps<P, T>, options: ActOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const done: { entry: { eventId: string; outcome: AuditOutcome; action: AuditedAction } | null } = { entry: null };
      try {
        const checked = (await steps.check?.()) as P;
        const value = await this.store.transact(async (uow) => {
          await sqlOf(uow).query('SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE');
          const eventId = randomUUID();
          const metadata: AuditMetadata = {
            causationId: eventId,
            correlationId: ctx.requestId,
            actor: ctx.actor,
            ...(ctx.tenant ? { tenant: ctx.tenant } : {}),
          };
          const unit: ActionUnit = {
            uow: effectsAfterEntry(uow, () => done.entry !== null),
            metadata,
            record: async (outcome, details, target) => {
              if (done.entry) throw new Error(`${action.action}: the audit entry is recorded already`);
              const entry = target === undefined ? action : { ...action, target };
              await this.appendEntry(uow, sqlOf(uow), eventId, ctx, entry, outcome, details);
              done.entry = { eventId, outcome, action: entry };
            },
          };
          return steps.apply(unit, checked);
        });
        if (done.entry) this.logEntry(ctx, done.entry.action, done.entry);
        return value;
      } catch (err) {
        if (err instanceof ExpectedVersionConflict && attempt < (options.conflictRetries ?? 0)) continue;
        const status = rejectionStatus(err);
        if (status !== null) {
          this.log.info(
            {
              event: `audit.${action.action}`,
              outcome: 'rejected',
              status,
              actor: ctx.actor,
              role: ctx.role,
              tenant: ctx.tenant,
              target: action.target,
              reason: action.reason,
              requestId: ctx.requestId,
              problem: (err as Error).message,
            },
            `${ctx.actor} ${action.action} ${action.target ?? ''} rejected (${status})`.replace(/ {2,}/g, ' '),
          );
        }
        throw err;
      }
    }
  }

  /** The chain link: read the head (locked since the unit began), append the entry, move the head. */
  private async appendEntry(
    uow: UnitOfWork,
    db: SqlSession,
    eventId: string,
    ctx: OperatorContext,
    action: AuditedAction,
    outcome: AuditOutcome,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const now = this.clock.now();
    const streamId = auditStream(now);
    const occurredAt = now.toISOString();
    const { rows } = await db.query<LockedHead>(LOCK_HEAD_SQL);
    const prevHash = rows[0].last_hash;
    const data: OperatorActionData & { prevHash: string; chain: number; keyId: string; hash?: string } = {
      action: action.action,
      target: action.target,
      reason: action.reason,
      outcome,
      actor: ctx.actor,
      role: ctx.role,
      tenant: ctx.tenant,
      requestId: ctx.requestId,
      clientIp: ctx.clientIp,
      ...(details ? { details } : {}),
      prevHash,
      chain: CHAIN_VERSION,
      keyId: keyId(this.keys.auditChain),
      ...(await legacySeal(uow, rows[0])),
    };
    const metadata = { occurredAt, correlationId: ctx.requestId, actor: ctx.actor, ...(ctx.tenant ? { tenant: ctx.tenant } : {}) };
    // The MAC covers data and metadata exactly as stored (outcome included).
    const hash = chainMac(this.keys.auditChain, prevHash, {
      eventId,
      streamId,
      type: 'OperatorActionRecorded',
      data: data as unknown as Record<string, unknown>,
      metadata,
    });
    await uow.append(streamId, [{ type: 'OperatorActionRecorded', eventId, data: { ...data, hash }, metadata }], 'any');
    await db.query('UPDATE audit_chain_head SET last_event_id = $1, last_hash = $2, length = length + 1 WHERE id = 1', [eventId, hash]);
  }

  /** After the commit: the log line says what is now in the log. */
  private logEntry(ctx: OperatorContext, action: AuditedAction, entry: { eventId: string; outcome: AuditOutcome }): void {
    this.log.info(
      {
        event: `audit.${action.action}`,
        outcome: entry.outcome,
        actor: ctx.actor,
        role: ctx.role,
        tenant: ctx.tenant,
        target: action.target,
        reason: action.reason,
        requestId: ctx.requestId,
        auditEventId: entry.eventId,
      },
      `${ctx.actor} ${action.action} ${action.target ?? ''}`.trim() + (entry.outcome === 'applied' ? '' : ` (${entry.outcome})`),
    );
  }
}

/** The unit as the action's effects see it: an append before the audit entry is a bug, said at once. */
function effectsAfterEntry(uow: UnitOfWork, recorded: () => boolean): UnitOfWork {
  const guard = () => {
    if (!recorded()) throw new Error('an operator action appended an effect before its audit entry: call unit.record first');
  };
  return {
    get sql() {
      return uow.sql;
    },
    readStream: (streamId, options) => uow.readStream(streamId, options),
    readStreams: (query, options) => uow.readStreams(query, options),
    readEvents: (eventIds) => uow.readEvents(eventIds),
    append: async (streamId, events, expected, options) => {
      guard();
      return uow.append(streamId, events, expected, options);
    },
    appendMany: async (appends, options) => {
      guard();
      return uow.appendMany(appends, options);
    },
    restore: async (archive) => {
      guard();
      return uow.restore(archive);
    },
  };
}
