import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class PauseLoopDto {
  @ApiProperty({ example: 'database failover in progress' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;

  @ApiPropertyOptional({ example: '2026-03-02T11:00:00Z', description: 'When the pause ends by itself; without it, it lasts until resumed.' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp' })
  resumeAt?: string;
}

export class ResumeLoopDto {
  @ApiProperty({ example: 'failover done' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}
