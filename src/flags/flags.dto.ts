import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { FLAG_TYPES, FlagType } from './flag.events';

export const FLAG_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const KEY_PROBLEM = 'must be 1 to 128 letters, digits, . _ - (starting with a letter or digit)';

export class DefineFlagDto {
  @ApiProperty({ example: 'checkout.new-flow' })
  @IsString()
  @Matches(FLAG_KEY, { message: KEY_PROBLEM })
  key!: string;

  @ApiProperty({ example: 'Serve the new checkout flow' })
  @IsString()
  @MaxLength(1000)
  description!: string;

  @ApiProperty({ enum: FLAG_TYPES, example: 'boolean' })
  @IsIn(FLAG_TYPES, { message: `must be one of ${FLAG_TYPES.join(', ')}` })
  type!: FlagType;

  @ApiProperty({ example: false, description: 'Served while no value is set; of the flag type (json: an object or array)' })
  @IsDefined({ message: 'is required' })
  defaultValue!: unknown;

  @ApiProperty({ example: 'launch plan for the new checkout' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class RedefineFlagDto {
  @ApiPropertyOptional({ example: 'Serve the new checkout flow (all regions)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  defaultValue?: unknown;

  @ApiProperty({ example: 'the new flow is the default now' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class SetFlagValueDto {
  @ApiProperty({ example: true, description: 'Of the flag type' })
  @IsDefined({ message: 'is required' })
  value!: unknown;

  @ApiPropertyOptional({ example: '2026-11-25T18:00:00Z', description: 'A temporary value: the default is served again from then on (at most 90 days ahead)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an RFC 3339 timestamp' })
  expiresAt?: string;

  @ApiProperty({ example: 'canary for the 18:00 release' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}

export class ClearFlagValueDto {
  @ApiProperty({ example: 'canary finished' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}
