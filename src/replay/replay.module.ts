import { Module } from '@nestjs/common';
import { targetsProjection } from '../../projections/targets/targets.projection';
import { PointInTime } from '../point-in-time/point-in-time.service';
import { WhatIfController } from './what-if.controller';
import { WhatIfHandler } from './what-if.query';
import { WhatIfReader } from './what-if.reader';

/** What-if replay of recorded history under another policy (read-only). */
@Module({ controllers: [WhatIfController], providers: [WhatIfReader, WhatIfHandler] })
export class ReplayModule {
  constructor(pit: PointInTime) {
    // Target states at a window start come from read-model snapshots, so a replay never folds the whole log.
    pit.use(targetsProjection);
  }
}
