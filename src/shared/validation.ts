import { ValidationError, ValidationPipe } from '@nestjs/common';
import { BadInput, FieldProblem } from './errors';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((problem) => ({
      field,
      // class-validator's whitelist message names the property already; keep it readable.
      problem: problem.replace(/^property \S+ should not exist$/, 'is not a known field'),
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Every body and query: unknown fields rejected, types converted, each problem named by field. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadInput(fields.map((f) => `${f.field}: ${f.problem}`).join('; '), fields);
    },
  });
}
