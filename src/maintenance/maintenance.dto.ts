import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAINTENANCE_MODES, MaintenanceMode } from './maintenance.events';

export class ScheduleMaintenanceDto {
  @ApiProperty({ enum: MAINTENANCE_MODES, example: 'read_only', description: "read_only: the tenant's writes answer 503; offline: all of its requests do" })
  @IsIn(MAINTENANCE_MODES, { message: `must be one of ${MAINTENANCE_MODES.join(', ')}` })
  mode!: MaintenanceMode;

  @ApiProperty({
    example: 'Scheduled maintenance: changes are paused until 14:00 UTC.',
    description: "Shown to the tenant's users (503 bodies, the public status)",
  })
  @IsString()
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(500)
  banner!: string;

  @ApiPropertyOptional({ example: '2026-11-28T12:00:00Z', description: 'When the window opens (RFC 3339, not in the past); left out: now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp' })
  startsAt?: string;

  @ApiPropertyOptional({ example: '2026-11-28T14:00:00Z', description: 'When it closes by itself (in the future, after startsAt); left out: until ended' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp' })
  endsAt?: string;

  @ApiProperty({ example: 'PostgreSQL 17 upgrade of the acme shard' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class EndMaintenanceDto {
  @ApiProperty({ example: 'upgrade finished early' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}
