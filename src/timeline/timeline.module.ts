import { Global, Module } from '@nestjs/common';
import { EventSummaries } from './event-summaries';
import { TimelineController } from './timeline.controller';
import { TimelineReader } from './timeline.reader';

/** Global so capability modules can register their event summaries. */
@Global()
@Module({ controllers: [TimelineController], providers: [EventSummaries, TimelineReader], exports: [EventSummaries, TimelineReader] })
export class TimelineModule {}
