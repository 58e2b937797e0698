import { AppError, constantTimeEqual } from '@b24app/core';
import type { RequestHandler } from 'express';

/** `Authorization: Bearer <API_TOKEN>` for the integrations API, compared in constant time. */
export function bearerAuth(apiToken: string): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m || !constantTimeEqual(m[1]!.trim(), apiToken)) {
      next(new AppError('UNAUTHORIZED', 'missing or invalid bearer token'));
      return;
    }
    next();
  };
}
