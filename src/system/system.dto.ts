import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Equals, IsBoolean, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class ConfirmDto {
  @ApiProperty({ example: true, description: 'Must be true: this acts on every matching run.' })
  @IsBoolean()
  @Equals(true, { message: 'confirm must be true to act on every matching run' })
  confirm!: boolean;

  @ApiProperty({ example: 'workers stuck after the DB failover; restarting them' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class JanitorDto {
  @ApiPropertyOptional({ example: 'queue looks stuck' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason?: string;
}

export class MetricsQuery {
  @ApiPropertyOptional({ example: '24h', description: 'Window: hours (1h-720h) or days (1d-30d).' })
  @IsOptional()
  @Matches(/^([1-9]\d{0,2})(h|d)$/, { message: 'window must look like 24h or 7d' })
  window?: string;
}
