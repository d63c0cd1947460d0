import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIP, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

export class OverrideSubjectDto {
  @ApiPropertyOptional({ example: 'acme' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'must be a tenant id (letters, digits, . _ -)' })
  tenant?: string;

  @ApiPropertyOptional({ example: '203.0.113.7' })
  @IsOptional()
  @IsIP(undefined, { message: 'must be an IPv4 or IPv6 address' })
  ip?: string;
}

export class GrantOverrideDto {
  @ApiProperty({ type: OverrideSubjectDto, description: 'Exactly one of tenant or ip' })
  @IsDefined()
  @ValidateNested()
  @Type(() => OverrideSubjectDto)
  subject!: OverrideSubjectDto;

  @ApiProperty({ example: 5000, description: 'Requests per window while the override lasts' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  limit!: number;

  @ApiProperty({ example: '2026-11-25T15:00:00Z', description: 'When the override ends on its own (at most 30 days ahead)' })
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp' })
  expiresAt!: string;

  @ApiProperty({ example: 'backfill of tenant acme after the outage' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class RevokeOverrideDto {
  @ApiProperty({ example: 'backfill finished' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}
