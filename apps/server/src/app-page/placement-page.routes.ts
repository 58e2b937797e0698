/**
 * The "Request approval" placement (CRM_XXX_DETAIL_ACTIVITY, bound by install/placement-bindings.ts): Bitrix24
 * frame-POSTs it into a slider from the menu above a CRM item's timeline, with PLACEMENT naming the item's type and
 * PLACEMENT_OPTIONS `{"ID": "<item id>"}`. The same verification and session as the app page (frame-page.ts); the
 * page opens on the request form for that item.
 */
import { AppError } from '@b24app/core';
import { Router } from 'express';
import { formBody } from '../http/form-body.js';
import { ownerTypeOfPlacement, REQUEST_APPROVAL_PATH } from '../install/placement-bindings.js';
import { type FramePageDeps, serveFramePage } from './frame-page.js';

export function placementPageRoutes(deps: FramePageDeps): Router {
  const r = Router();
  r.post(REQUEST_APPROVAL_PATH, formBody, (req, res) =>
    serveFramePage(deps, req, res, (frame, options) => {
      const ownerTypeId = ownerTypeOfPlacement(frame.body.PLACEMENT);
      if (ownerTypeId === null || options.ID === undefined || options.ID <= 0) {
        throw new AppError('BAD_REQUEST', 'Open "Request approval" from a CRM item’s timeline menu.');
      }
      return { name: 'request', ownerTypeId, ownerId: options.ID };
    }),
  );
  return r;
}
