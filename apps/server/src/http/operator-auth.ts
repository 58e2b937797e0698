import { AppError, constantTimeEqual } from '@b24app/core';
import type { RequestHandler } from 'express';

/**
 * The operator's pages (Bull Board) with the operator's key, `API_TOKEN`: as a bearer token, or
 * as the password of HTTP Basic (any user name) so a browser can open them. Compared in constant time.
 */
export function operatorAuth(apiToken: string, realm = 'b24app operators'): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
    const password = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':') : undefined;
    const presented = bearer ?? password;
    if (presented !== undefined && constantTimeEqual(presented, apiToken)) return next();
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    next(new AppError('UNAUTHORIZED', 'operator authentication required'));
  };
}
