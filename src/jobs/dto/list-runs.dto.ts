import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { Trigger } from '../events/run.events';
import type { RunStatus } from '../run.state';

export const RUN_STATES: readonly RunStatus[] = ['pending', 'retrying', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled', 'expired'];
export const RUN_TRIGGERS: readonly Trigger[] = ['schedule', 'manual', 'retry'];

/** GET /api/runs: every filter is checked here (or by parseWindow / parseRunCursor) before any SQL. */
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

  @ApiPropertyOptional({ example: 'acme', description: "Only this tenant's runs (a tenant-scoped token sees its own tenant's only, whatever it asks)." })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant?: string;

  @ApiPropertyOptional({ enum: RUN_TRIGGERS })
  @IsOptional()
  @IsIn(RUN_TRIGGERS as string[])
  trigger?: Trigger;

  @ApiPropertyOptional({ example: 'alice', description: 'Who queued it (the token name; runs of a schedule have none).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ example: '2026-03-01T00:00:00Z', description: 'createdAt at or after this RFC 3339 instant.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  from?: string;

  @ApiPropertyOptional({ example: '2026-03-02T00:00:00Z', description: 'createdAt before this RFC 3339 instant.' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  to?: string;

  @ApiPropertyOptional({ example: 1, description: "Exit code of the run's latest attempt (a command's exit status, an http job's HTTP status)." })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(-2147483648)
  @Max(2147483647)
  exitCode?: number;

  @ApiPropertyOptional({
    example: 'connection refused',
    description: 'Text in the error or the log tail: a case-insensitive substring, 3 to 200 characters (trigram index; docs/adr/0013).',
  })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ example: 'ea7831bdd5611ef7', description: 'Failure signature (GET /api/failures/groups): runs whose latest failure has it.' })
  @IsOptional()
  @Matches(/^[0-9a-f]{16}$/, { message: 'must be a failure signature: 16 lowercase hex characters' })
  signature?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

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
