// A Bitrix24 REST error: the envelope `{"error": code, "error_description": text, ...extra}` and its HTTP status.

export class RestError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${code}: ${description}`);
    this.name = 'RestError';
  }

  toBody(): Record<string, unknown> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

// The system errors of the docs (`_includes/system-errors.md`) with their HTTP statuses.
export const restErrors = {
  noAuth: () => new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401),
  invalidToken: () => new RestError('invalid_token', 'The access token provided is invalid', 401),
  expiredToken: () => new RestError('expired_token', 'The access token provided has expired', 401),
  queryLimit: () => new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503),
  operationTimeLimit: () => new RestError('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit', 429),
  methodNotFound: () => new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404),
  internal: () => new RestError('INTERNAL_SERVER_ERROR', 'Internal server error', 500),
  insufficientScope: () =>
    new RestError(
      'insufficient_scope',
      'The request requires higher privileges than provided by the access token',
      403,
    ),
  wrongAuthType: () => new RestError('WRONG_AUTH_TYPE', 'Current authorization type is denied for this method', 403),
  batchMethodNotAllowed: () =>
    new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage', 405),
  batchLengthExceeded: () => new RestError('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded', 400),
  /** D7 controllers: a missing action argument is the string code "100" */
  missingArgument: (name: string) => new RestError('100', `Could not find value for parameter {${name}}`, 400),
  /** D7 controllers answer every error with 400, access errors included */
  accessDenied: (status = 400) => new RestError('ACCESS_DENIED', 'Access denied.', status),
};
