import { Router } from 'express';
import { openApiDocument } from './openapi-document.js';

/** GET /api/v1/openapi.json: open, like any API's description; it grants nothing. */
export function openApiRoutes(): Router {
  const r = Router();
  r.get('/api/v1/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300');
    res.json(openApiDocument());
  });
  return r;
}
