import { Router } from 'express';
import { type TimelineImageKind, timelineImageSvg } from './timeline-images.js';

// GET /ui/timeline/icons/:code.svg and /ui/timeline/logos/:code.svg: the images the timeline cards show.

export function timelineImageRoutes(): Router {
  const r = Router();
  r.get(/^\/ui\/timeline\/(icons|logos)\/([^/]+)\.svg$/, (req, res) => {
    const params = req.params as unknown as Record<string, string>;
    const kind: TimelineImageKind = params[0] === 'icons' ? 'icon' : 'logo';
    const svg = timelineImageSvg(kind, decodeURIComponent(params[1] ?? ''));
    if (!svg) return void res.status(404).type('text/plain').send('unknown code');
    res.type('image/svg+xml').set('cache-control', 'public, max-age=86400').send(svg);
  });
  return r;
}
