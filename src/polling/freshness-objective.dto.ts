import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { FRESHNESS_WINDOWS, FreshnessWindow } from './events/target-spec';

/**
 * The smallest maxAgeSeconds: Healthchecks.io's smallest period. The SLO read model merges
 * successes less than this apart (projections/slo-freshness), which is exact for any maxAge at
 * least this long.
 */
export const MIN_MAX_AGE_SECONDS = 60;
/** A target allowed to be a whole day stale is not watched for freshness; it also bounds how far back the read model keeps runs. */
export const MAX_MAX_AGE_SECONDS = 86_400;

/** A number strictly between 0 and 100 (100 % leaves no error budget: every burn rate would divide by zero). */
const IsPercentBelow100 = () =>
  ValidateBy({
    name: 'isPercentBelow100',
    validator: {
      validate: (v: unknown) => typeof v !== 'number' || (v > 0 && v < 100), // not a number: IsNumber says so
      defaultMessage: () => 'must be a percentage more than 0 and less than 100, e.g. 99.5',
    },
  });

export class FreshnessObjectiveDto {
  @ApiProperty({ example: 99.5, description: 'Percent of the eligible time the target must be fresh; more than 0, less than 100.' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPercentBelow100()
  objective!: number;

  @ApiProperty({
    example: 300,
    description: `Fresh = the last successful poll is at most this old (whole seconds, ${MIN_MAX_AGE_SECONDS} to ${MAX_MAX_AGE_SECONDS}).`,
  })
  @IsInt()
  @Min(MIN_MAX_AGE_SECONDS)
  @Max(MAX_MAX_AGE_SECONDS)
  maxAgeSeconds!: number;

  @ApiProperty({ example: '30d', enum: FRESHNESS_WINDOWS, description: 'Rolling window the attainment and error budget are computed over.' })
  @IsIn(FRESHNESS_WINDOWS)
  window!: FreshnessWindow;
}

/** PUT /api/targets/:key/slo: the objective and why. */
export class SetFreshnessObjectiveDto extends FreshnessObjectiveDto {
  @ApiProperty({ example: 'the EU dashboard promises data at most 5 minutes old' })
  @IsString()
  @IsNotEmpty({ message: 'is required' })
  @MaxLength(500)
  reason!: string;
}

/** DELETE /api/targets/:key/slo. */
export class ClearFreshnessObjectiveDto {
  @ApiProperty({ example: 'target retired from the dashboard' })
  @IsString()
  @IsNotEmpty({ message: 'is required' })
  @MaxLength(500)
  reason!: string;
}
