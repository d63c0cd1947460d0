import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { FreshnessObjectiveDto } from './freshness-objective.dto';
import {
  Allow,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAME_PROBLEM = 'must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (no "::")';

export class TargetJsonCheckDto {
  @ApiProperty({ example: 'status', description: 'Dot path into the JSON body.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  path!: string;

  @ApiProperty({ example: 'ok', description: 'Expected value (compared as JSON).' })
  @IsDefined()
  @Allow()
  equals!: unknown;
}

export class TargetProbeDto {
  @ApiProperty({ example: 'http', description: 'Probe kind: "http" or one registered in code.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  kind!: string;

  @ApiProperty({ example: 'http://127.0.0.1:9000/ping' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_valid_protocol: true }, { message: 'must be an http(s) URL' })
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({ example: 'GET' })
  @IsOptional()
  @IsIn(['GET', 'HEAD', 'POST'])
  method?: string;

  @ApiPropertyOptional({ example: 200, description: 'Unset: any 2xx.' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(599)
  expectStatus?: number;

  @ApiPropertyOptional({ example: 5000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600_000)
  timeoutMs?: number;

  @ApiPropertyOptional({ type: TargetJsonCheckDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TargetJsonCheckDto)
  jsonCheck?: TargetJsonCheckDto;
}

export class CreateTargetDto {
  @ApiProperty({ example: 'instance' })
  @IsString()
  @Matches(NAME, { message: `type ${NAME_PROBLEM}` })
  @MaxLength(64)
  type!: string;

  @ApiProperty({ example: 'eu-1' })
  @IsString()
  @Matches(NAME, { message: `name ${NAME_PROBLEM}` })
  @MaxLength(128)
  name!: string;

  @ApiPropertyOptional({ example: 'EU primary' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string;

  @ApiProperty({ type: TargetProbeDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TargetProbeDto)
  probe!: TargetProbeDto;

  @ApiPropertyOptional({ example: 10, description: 'Fixed interval, or the adaptive base.' })
  @IsOptional()
  @IsNumber()
  @Min(0.01)
  @Max(86_400)
  intervalSeconds?: number;

  @ApiPropertyOptional({ example: true, description: 'Adaptive interval (when ADAPTIVE_POLLING_ENABLED). Default true.' })
  @IsOptional()
  @IsBoolean()
  adaptive?: boolean;

  @ApiPropertyOptional({
    example: 'acme',
    description: 'Owning tenant. Tokens scoped to a tenant see only its targets; a scoped token registers for its own tenant (the default for it).',
  })
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: `tenant ${NAME_PROBLEM}` })
  @MaxLength(100)
  tenant?: string;

  @ApiPropertyOptional({
    type: FreshnessObjectiveDto,
    description:
      'Freshness objective: fresh = a successful poll at most maxAgeSeconds old, for `objective` % of the time over `window` (GET /api/targets/:key/slo).',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => FreshnessObjectiveDto)
  freshness?: FreshnessObjectiveDto;

  @ApiPropertyOptional({ example: 'new EU instance', description: 'Recorded in the audit log when given.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class PatchTargetDto {
  @ApiPropertyOptional({ example: 'EU primary' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({ type: TargetProbeDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TargetProbeDto)
  probe?: TargetProbeDto;

  @ApiPropertyOptional({ example: 30 })
  @IsOptional()
  @IsNumber()
  @Min(0.01)
  @Max(86_400)
  intervalSeconds?: number;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  adaptive?: boolean;

  @ApiPropertyOptional({ example: true, description: 'true pauses polling, false resumes it.' })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;

  @ApiPropertyOptional({ example: 'maintenance window' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class RemoveTargetDto {
  @ApiPropertyOptional({ example: 'decommissioned' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class TargetActionReasonDto {
  @ApiProperty({ example: 'upstream fixed the credentials' })
  @IsString()
  @IsNotEmpty({ message: 'is required' })
  @MaxLength(500)
  reason!: string;
}
