import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { reject, RejectedError } from '../shared/decider';
import { BadInput } from '../shared/errors';
import { rejectionOf, rejectionResponse, rejectionStatus } from './rejection-status';

describe('rejections as HTTP answers (one mapping for every aggregate)', () => {
  it('answers invalid with 400 naming the field, in the body every other 400 has', () => {
    const r = rejectionResponse(reject('invalid', 'must be one of viewer, operator, admin', 'role'));
    expect(r).toEqual({ status: 400, body: BadInput.field('role', 'must be one of viewer, operator, admin').getResponse() });
    expect(rejectionResponse(reject('invalid', 'add --yes to go ahead'))).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'add --yes to go ahead', fields: [] },
    });
  });

  it('answers forbidden, not_found and conflict with 403, 404 and 409', () => {
    expect(rejectionResponse(reject('forbidden', 'only for its own tenant', 'tenant'))).toEqual({
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'tenant: only for its own tenant' },
    });
    expect(rejectionResponse(reject('not_found', 'no token with id x'))).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'no token with id x' },
    });
    expect(rejectionResponse(reject('conflict', 'revoked already'))).toEqual({
      status: 409,
      body: { statusCode: 409, error: 'Conflict', message: 'revoked already' },
    });
  });

  it('finds the rejection a thrown error carries, and its status for the audit log', () => {
    const err = new RejectedError(reject('conflict', 'revoked already'));
    expect(rejectionOf(err)).toEqual(reject('conflict', 'revoked already'));
    expect(rejectionOf(new Error('boom'))).toBeNull();
    expect(rejectionStatus(err)).toBe(409);
    expect(rejectionStatus(new RejectedError(reject('invalid', 'x', 'f')))).toBe(400);
    expect(rejectionStatus(new ExpectedVersionConflict('token-a', 0n, 1n))).toBe(409);
    expect(rejectionStatus(new Error('boom'))).toBeNull();
  });
});
