import type { AttentionSource } from '../attention-source';
import { ago, iso } from '../attention-source';

/**
 * Loops ops health judges broken: stale (no run for OPS_STALE_FACTOR × their interval), stopped or
 * crashed. Critical: nothing that loop does happens. Installation-wide, shown to every caller
 * (every tenant's work waits on them; ops health shows the loops to scoped tokens too).
 */
export const staleLoopsSource: AttentionSource = {
  name: 'stale-loops',
  kinds: ['stale_loop'],
  reach: 'shared',
  items: ({ ops, now }) =>
    ops.loops
      .filter((l) => l.stale || l.speaker.state === 'stopped' || l.speaker.state === 'crashed')
      .map(({ loop, speaker, stale }) => {
        const last = speaker.lastRunAt ?? speaker.startedAt;
        const state = speaker.state === 'stopped' || speaker.state === 'crashed' ? speaker.state : stale ? 'stale' : speaker.state;
        return {
          kind: 'stale_loop',
          severity: 'critical',
          since: iso(last),
          summary: `${loop} ${state}: last ran ${ago(now.getTime() - new Date(last).getTime())} ago (expected every ${ago(speaker.intervalMs)})`,
          href: '/api/ops/health',
          tenant: null,
          subject: loop,
        };
      }),
};
