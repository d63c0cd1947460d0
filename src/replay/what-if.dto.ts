import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

export class WhatIfBreakerDto {
  @ApiPropertyOptional({ example: 3, description: 'Consecutive failures that open the breaker (absent: BREAKER_FAILURE_THRESHOLD).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  failureThreshold?: number;

  @ApiPropertyOptional({ example: 10000, description: 'Open time of the first trip, doubling per trip (absent: BREAKER_OPEN_BASE_MS).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(DAY_MS)
  openBaseMs?: number;

  @ApiPropertyOptional({ example: 600000, description: 'Longest open time (absent: BREAKER_OPEN_MAX_MS).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7 * DAY_MS)
  openMaxMs?: number;
}

export class WhatIfDeadLetterDto {
  @ApiPropertyOptional({ example: 3, description: 'Consecutive transient failures that dead-letter a target (absent: DEAD_LETTER_STREAK).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  streak?: number;

  @ApiPropertyOptional({
    example: [300, 900, 3600],
    type: [Number],
    description: 'Retry delays in seconds; the last repeats (absent: DEAD_LETTER_RETRY_SCHEDULE).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true, message: 'each delay must be a number of seconds' })
  @Min(0.001, { each: true, message: 'each delay must be more than 0 seconds' })
  @Max(30 * 86_400, { each: true, message: 'each delay must be at most 30 days' })
  retryScheduleSeconds?: number[];
}

export class WhatIfJobsDto {
  @ApiPropertyOptional({ example: 5, description: 'Attempts per run (absent: what each run recorded at enqueue).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxAttempts?: number;

  @ApiPropertyOptional({ example: 10000, description: 'First retry delay; doubles per attempt for exponential backoff (absent: as recorded per run).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * DAY_MS)
  backoffBaseMs?: number;

  @ApiPropertyOptional({ example: 3600000, description: 'Longest retry delay (absent: as recorded per run).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * DAY_MS)
  backoffMaxMs?: number;
}

export class WhatIfPolicyDto {
  @ApiPropertyOptional({ type: WhatIfBreakerDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WhatIfBreakerDto)
  breaker?: WhatIfBreakerDto;

  @ApiPropertyOptional({ type: WhatIfDeadLetterDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WhatIfDeadLetterDto)
  deadLetter?: WhatIfDeadLetterDto;

  @ApiPropertyOptional({ type: WhatIfJobsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WhatIfJobsDto)
  jobs?: WhatIfJobsDto;
}

export class WhatIfDto {
  @ApiProperty({ example: '2026-11-25T13:00:00Z', description: 'Window start (exclusive), RFC 3339.' })
  @IsString()
  @Matches(RFC3339, { message: 'must be an RFC 3339 timestamp, e.g. 2026-11-25T13:00:00Z' })
  from!: string;

  @ApiProperty({ example: '2026-11-25T14:00:00Z', description: 'Window end (inclusive), RFC 3339; at most REPLAY_MAX_WINDOW_DAYS after from.' })
  @IsString()
  @Matches(RFC3339, { message: 'must be an RFC 3339 timestamp, e.g. 2026-11-25T14:00:00Z' })
  to!: string;

  @ApiProperty({ type: WhatIfPolicyDto, description: 'The rules to replay with; any part left out is the configured one.' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => WhatIfPolicyDto)
  policy!: WhatIfPolicyDto;

  @ApiPropertyOptional({ example: ['instance::eu-1'], type: [String], description: 'Only these targets (type::name); [] = none; absent = all.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  targets?: string[];

  @ApiPropertyOptional({ example: ['nightly-report'], type: [String], description: 'Only these jobs; [] = none; absent = all.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  jobs?: string[];
}
