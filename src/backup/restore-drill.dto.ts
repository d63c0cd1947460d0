import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class RecordRestoreDrillDto {
  @ApiProperty({ example: 'alice', description: 'The named restore owner who ran the drill' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner!: string;

  @ApiProperty({ enum: ['passed', 'failed'] })
  @IsIn(['passed', 'failed'], { message: 'must be passed or failed' })
  result!: 'passed' | 'failed';

  @ApiPropertyOptional({ example: "restored last night's backup into staging; every endpoint matched" })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;

  @ApiPropertyOptional({ example: 1250000, maximum: Number.MAX_SAFE_INTEGER })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  eventsRestored?: number;

  @ApiPropertyOptional({ example: 184, maximum: 2_147_483_647 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  durationSeconds?: number;

  @ApiPropertyOptional({ example: '2026-11-25T09:30:00Z', description: 'When the drill ran (default: now)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp' })
  performedAt?: string;
}
