import { AttentionItem, SEVERITIES } from './attention-item';

const cmp = (a: string | null, b: string | null) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);

/**
 * Most urgent first: by severity (critical, warning, info), then by age (the oldest `since` first:
 * the longer it has gone on, the more it has cost), then by kind, subject and tenant so equal items
 * keep one order. Pure; returns a new array.
 */
export function rankAttention(items: readonly AttentionItem[]): AttentionItem[] {
  return [...items].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      Date.parse(a.since) - Date.parse(b.since) ||
      cmp(a.kind, b.kind) ||
      cmp(a.subject, b.subject) ||
      cmp(a.tenant, b.tenant),
  );
}
