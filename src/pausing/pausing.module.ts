import { Global, Module } from '@nestjs/common';
import { loopPausesProjection } from '../../projections/loop-pauses/loop-pauses.projection';
import { ProjectionRegistry } from '../projection-runner/projection-registry';
import { EventSummaries } from '../timeline/event-summaries';
import type { LoopPaused, LoopResumed } from './loop-pause.events';
import { LoopPausesController } from './loop-pauses.controller';
import { LoopPauses } from './loop-pauses.service';

/** Whole-loop pauses (job worker, poll scheduler). Global: the loops and ops health read them. */
@Global()
@Module({ controllers: [LoopPausesController], providers: [LoopPauses], exports: [LoopPauses] })
export class PausingModule {
  constructor(registry: ProjectionRegistry, summaries: EventSummaries) {
    registry.register(loopPausesProjection);
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
