import { Global, Module } from '@nestjs/common';
import { loopPausesProjection } from '../../projections/loop-pauses/loop-pauses.projection';
import { pausesProjection } from '../../projections/pauses/pauses.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { EventSummaries } from '../timeline/event-summaries';
import type { LoopPaused, LoopResumed } from './loop-pause.events';
import { LoopPausesController } from './loop-pauses.controller';
import { LoopPauses } from './loop-pauses.service';
import { Holds } from './holds.service';
import { PauseExpiry } from './pause-expiry.loop';
import { Pauses } from './pauses.service';
import { PausesController } from './pauses.controller';
import { PAUSE_SUMMARIES } from './pause-summaries';

/**
 * Whole-loop pauses (job worker, poll scheduler), pauses of a job or of a tenant's jobs or targets,
 * and the hold check over them. Global: the loops, run-now and the health views read them.
 */
@Global()
@Module({
  controllers: [LoopPausesController, PausesController],
  providers: [LoopPauses, Holds, Pauses, PauseExpiry],
  exports: [LoopPauses, Holds, Pauses, PauseExpiry],
})
export class PausingModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries) {
    registry.register(loopPausesProjection, pausesProjection);
    for (const [type, summarize] of Object.entries(PAUSE_SUMMARIES)) summaries.register(type, summarize);
    summaries.register('LoopPaused', (e) => {
      const d = (e as unknown as LoopPaused).data;
      return `${d.loop} paused by ${d.pausedBy}${d.resumeAt ? ` until ${d.resumeAt}` : ''}: "${d.reason}"`;
    });
    summaries.register('LoopResumed', (e) => {
      const d = (e as unknown as LoopResumed).data;
      return `${d.loop} resumed by ${d.resumedBy}: "${d.reason}"`;
    });
  }
}
