import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { ConsoleSessionModule } from '../session/console-session.module';
import { StreamController } from './stream.controller';

/** GET /api/stream: what changed in the log, live, for the console's panels. */
@Module({ imports: [AuthModule, ConsoleSessionModule], controllers: [StreamController] })
export class ConsoleStreamModule {}
