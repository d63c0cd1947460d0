import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** Errors a person can act on: each names what is wrong and, where it applies, the field. */
export class BadInput extends HttpException {
  constructor(message: string, fields: FieldProblem[] = []) {
    super({ statusCode: 400, error: 'Bad Request', message, fields }, HttpStatus.BAD_REQUEST);
  }
  static field(field: string, problem: string): BadInput {
    return new BadInput(`${field}: ${problem}`, [{ field, problem }]);
  }
}

export class NotFound extends HttpException {
  constructor(message: string) {
    super({ statusCode: 404, error: 'Not Found', message }, HttpStatus.NOT_FOUND);
  }
}

export class Conflict extends HttpException {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super({ statusCode: 409, error: 'Conflict', message, ...extra }, HttpStatus.CONFLICT);
  }
}
