import { DomainEvent } from '../event-store/envelope';

export type AlertFired = DomainEvent<'AlertFired', { rule: string; summary: string; value: number; pendingSince: string; firedAt: string }>;
export type AlertResolved = DomainEvent<'AlertResolved', { rule: string; summary: string; value: number; firedAt: string; resolvedAt: string }>;
export type AlertEvent = AlertFired | AlertResolved;

export const alertStream = (rule: string) => `alert-${rule}`;
