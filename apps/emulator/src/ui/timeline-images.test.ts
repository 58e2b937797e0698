import { SYSTEM_ICONS, SYSTEM_LOGOS } from '@b24app/layout';
import { describe, expect, it } from 'vitest';
import { timelineImageLabel, timelineImageSvg, timelineImageUrl } from './timeline-images.js';

describe('timeline images', () => {
  it('draws an SVG for every system icon and logo, and none for an unknown code', () => {
    for (const code of SYSTEM_ICONS) expect(timelineImageSvg('icon', code)).toMatch(/^<svg .*<\/svg>$/);
    for (const code of SYSTEM_LOGOS) expect(timelineImageSvg('logo', code)).toMatch(/^<svg .*<\/svg>$/);
    expect(timelineImageSvg('icon', 'notification')).toBeNull(); // a logo, not an icon
    expect(timelineImageSvg('logo', '<script>')).toBeNull();
  });

  it('labels a code in words and addresses it by kind', () => {
    expect(timelineImageLabel('call-incoming-missed')).toBe('Call incoming missed');
    expect(timelineImageUrl('logo', 'call-default')).toBe('/ui/timeline/logos/call-default.svg');
  });
});
