import { SYSTEM_ICONS, SYSTEM_LOGOS } from '@b24app/layout';

// Images for the timeline's system icons and logos (the portal draws them from its own sprite; the emulator
// draws a small SVG per code: a glyph for the code's family on its colour, so a card shows a picture, not a name).

export type TimelineImageKind = 'icon' | 'logo';

export function timelineImageUrl(kind: TimelineImageKind, code: string): string {
  return `/ui/timeline/${kind}s/${encodeURIComponent(code)}.svg`;
}

/** `call-incoming-missed` → `Call incoming missed`: the image's alt text. */
export function timelineImageLabel(code: string): string {
  const words = code.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

interface Family {
  match: RegExp;
  color: string;
  /** a 24×24 stroke path */
  glyph: string;
}

const FAMILIES: Family[] = [
  { match: /call|zoom/, color: '#2fc6f6', glyph: 'M6 3l3 4-2 2c1 3 3 5 6 6l2-2 4 3-2 4C9 20 4 15 3 5z' },
  { match: /mail/, color: '#55d0e0', glyph: 'M3 6h18v12H3zM3 6l9 7 9-7' },
  { match: /document|list|store|shop/, color: '#9dcf00', glyph: 'M6 3h9l4 4v14H6zM9 11h7M9 15h7' },
  { match: /comment|IM|sms|chat|channel|message/i, color: '#7bd500', glyph: 'M4 5h16v11H9l-5 4z' },
  { match: /check|complete|success|signed/, color: '#8dbb00', glyph: 'M5 12l5 5 9-10' },
  { match: /clock|calendar|ping/, color: '#ffa900', glyph: 'M12 4a8 8 0 1 0 0 16a8 8 0 1 0 0-16M12 8v4l3 2' },
  { match: /attention|crossed|missed|unlink/, color: '#ff5752', glyph: 'M12 4v10M12 18v2' },
  {
    match: /task|pipeline|bizproc|stage|conversion/,
    color: '#a77bde',
    glyph: 'M4 6h4v4H4zM10 8h10M4 14h4v4H4zM10 16h10',
  },
  { match: /wallet|bank|sum/, color: '#00b4ac', glyph: 'M3 7h18v11H3zM3 11h18' },
  {
    match: /link|relation/,
    color: '#468ee5',
    glyph: 'M10 14l4-4M8 11l-2 2a3 3 0 0 0 4 4l2-2M16 13l2-2a3 3 0 0 0-4-4l-2 2',
  },
  { match: /ai|copilot/, color: '#8e52ec', glyph: 'M12 3l2 6 6 2-6 2-2 6-2-6-6-2 6-2z' },
];
const FALLBACK: Family = { match: /./, color: '#468ee5', glyph: 'M12 4a8 8 0 1 0 0 16a8 8 0 1 0 0-16M12 11v5M12 8v.5' };

/** The SVG for a system code, or null for a code the portal does not know. */
export function timelineImageSvg(kind: TimelineImageKind, code: string): string | null {
  const known: readonly string[] = kind === 'icon' ? SYSTEM_ICONS : SYSTEM_LOGOS;
  if (!known.includes(code)) return null;
  const f = FAMILIES.find((x) => x.match.test(code)) ?? FALLBACK;
  const shape =
    kind === 'icon'
      ? `<circle cx="12" cy="12" r="12" fill="${f.color}"/>`
      : `<rect width="24" height="24" rx="5" fill="${f.color}" fill-opacity=".18"/>`;
  const stroke = kind === 'icon' ? '#fff' : f.color;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" role="img"><title>${timelineImageLabel(code)}</title>${shape}<g transform="translate(4.8 4.8) scale(.6)"><path d="${f.glyph}" fill="none" stroke="${stroke}" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/></g></svg>`;
}
