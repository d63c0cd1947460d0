/** The system status page's five cards from counts per run state of the live queue. */
export function queueTotalsView(counts: Readonly<Record<string, number>>) {
  const n = (s: string) => counts[s] ?? 0;
  return {
    active: n('running') + n('cancelling'),
    pending: n('pending'),
    completed: n('succeeded'),
    failed: n('failed'),
    retry: n('retrying'),
    cancelled: n('cancelled'),
    expired: n('expired'),
  };
}
