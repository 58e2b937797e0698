/**
 * The official SDK's frame client, when the page runs inside Bitrix24 (the frame's name is DOMAIN|PROTOCOL|APP_SID):
 * fit the frame to the content, open the approval's details in a slider, close the slider, placement info.
 * Outside a frame (a direct visit) everything here is a no-op.
 */
import type { B24Frame } from '@bitrix24/b24jssdk';

let frame: B24Frame | null = null;

export async function connectFrame(): Promise<B24Frame | null> {
  if (!window.name.includes('|') || window.parent === window) return null;
  try {
    const { initializeB24Frame } = await import('@bitrix24/b24jssdk');
    frame = await initializeB24Frame();
    return frame;
  } catch {
    return null;
  }
}

export function fitFrame(): void {
  void frame?.parent.fitWindow().catch(() => undefined);
}

export function openInSlider(options: Record<string, string>): boolean {
  if (!frame) return false;
  void frame.slider.openSliderAppPage(options).catch(() => undefined);
  return true;
}

export function closeSlider(): void {
  void frame?.slider.closeSliderAppPage().catch(() => undefined);
}
