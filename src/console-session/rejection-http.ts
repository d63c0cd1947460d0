import { ForbiddenException, HttpException } from '@nestjs/common';
import { BadInput, Conflict, NotFound } from '../shared/errors';
import type { Rejection } from '../shared/decider';

/** A decider's rejection as the HTTP answer it stands for (400 naming the field, 403, 404, 409). */
export function rejectionToHttp(r: Rejection): HttpException {
  switch (r.code) {
    case 'invalid':
      return r.field ? BadInput.field(r.field, r.reason) : new BadInput(r.reason);
    case 'forbidden':
      return new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: r.reason });
    case 'not_found':
      return new NotFound(r.reason);
    case 'conflict':
      return new Conflict(r.reason);
  }
}
