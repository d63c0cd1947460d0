import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';

/** The ETag response header of a cached read (ADR 0016). */
export const ApiEtagHeader = {
  etag: {
    description: 'Strong entity tag of this body; send it back as If-None-Match to get 304 while the body is unchanged.',
    schema: { type: 'string', example: '"q3Zt1f0mKp2o8vR5bWc9xYh4nLs"' },
  },
};

/** OpenAPI for a read served from the read cache: If-None-Match in, 304 out. */
export const ApiCachedRead = () =>
  applyDecorators(
    ApiHeader({ name: 'if-none-match', required: false, description: 'An ETag this endpoint sent: 304 without a body while the body is still the same.' }),
    ApiResponse({ status: 304, description: 'Not modified: the body named by If-None-Match is still current (no body).' }),
  );
