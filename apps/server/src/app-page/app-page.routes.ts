/**
 * POST /b24/app: the frame POST that opens the app page (DEFAULT placement, the card's openRestApp slider, the
 * "About app" item). The user is proven with Bitrix24 before anything is shown (frame-page.ts); the page then
 * carries a short session and talks to /api/app/* with it. Also serves the front end's hashed assets, cached for a
 * year.
 */
import express, { Router } from 'express';
import { formBody } from '../http/form-body.js';
import type { BootData } from './app-page-html.js';
import type { PlacementOptions } from './app-frame.schemas.js';
import { type FramePageDeps, serveFramePage } from './frame-page.js';

/** The card's openRestApp opens the details (Reject with a comment on its reject form); "About app" the about view. */
export function appPageView(options: PlacementOptions): BootData['view'] {
  if (options.approvalId || options.activityId) {
    return {
      name: 'details',
      ...(options.approvalId ? { approvalId: options.approvalId } : {}),
      ...(options.activityId ? { activityId: options.activityId } : {}),
      ...(options.decide === 'reject' ? { decide: 'reject' as const } : {}),
    };
  }
  return options.context === 'aboutMenuItem' ? { name: 'about' } : { name: 'home' };
}

export function appPageRoutes(deps: FramePageDeps & { assetsDir: string }): Router {
  const r = Router();
  r.use(
    '/app-assets',
    express.static(deps.assetsDir, { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );
  r.post('/b24/app', formBody, (req, res) => serveFramePage(deps, req, res, (_frame, options) => appPageView(options)));
  return r;
}
