/**
 * OpenAPI responses for the error bodies the exception filter writes, so a controller states only
 * what differs: the field and its problem, or the message.
 */
export const badRequestExample = (field: string, problem: string) => ({
  status: 400,
  schema: { example: { statusCode: 400, error: 'Bad Request', message: `${field}: ${problem}`, fields: [{ field, problem }] } },
});

export const notFoundExample = (message: string) => ({ status: 404, schema: { example: { statusCode: 404, error: 'Not Found', message } } });

export const conflictExample = (message: string) => ({ status: 409, schema: { example: { statusCode: 409, error: 'Conflict', message } } });
