import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { RunStatus } from '../run.state';

export const RUN_STATES: readonly RunStatus[] = ['pending', 'retrying', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled', 'expired'];

export class ListRunsQuery {
  @ApiPropertyOptional({ enum: RUN_STATES })
  @IsOptional()
  @IsIn(RUN_STATES as string[])
  state?: RunStatus;

  @ApiPropertyOptional({ example: 'nightly-report' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  job?: string;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class JobDetailQuery {
  @ApiPropertyOptional({ example: 20, minimum: 1, maximum: 200, description: 'How many recent runs to show.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  runs?: number;
}
