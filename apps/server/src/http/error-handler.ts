import { AppError, errorBody, httpStatusOf, type Logger } from '@b24app/core';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { fromBitrix24 } from './upstream-errors.js';

/** The one place where errors become HTTP answers. Client mistakes are 4xx with a stable code. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = fromExpress(fromBitrix24(err));
    const status = httpStatusOf(e);
    if (status >= 500) logger.error({ err: e, path: req.path }, 'request failed');
    else logger.debug({ code: (e as AppError).code, path: req.path }, 'request rejected');
    if (res.headersSent) return;
    const code = (e as AppError).code;
    // The portal's bucket and our per-key limit both say when to come back.
    const retryAfterMs =
      code === 'RATE_LIMITED' || code === 'API_RATE_LIMITED'
        ? Number((e as AppError & { details?: { retryAfterMs?: number } }).details?.retryAfterMs)
        : NaN;
    if (Number.isFinite(retryAfterMs)) res.set('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    res.status(status).json(errorBody(e));
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
};

/** Body-parser errors carry a `type`/`status`; they are the client's fault, never a 500. */
function fromExpress(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
  if (e?.type === 'entity.parse.failed') return new AppError('BAD_REQUEST', 'Request body is not valid');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError('BAD_REQUEST', 'Request could not be read');
  }
  return err;
}
