// Enumerations Bitrix24 checks layouts against (protocol notes §7.3, §7.6; seed docs). The icon and logo lists are
// the portal's built-in codes; a portal also accepts the custom codes registered on it, so they are catalogs for
// builders and pickers, not validation whitelists.

/** System timeline icon codes (`crm.timeline.icon.list`, isSystem=true). */
export const SYSTEM_ICONS = [
  'call',
  'call-incoming-missed',
  'call-incoming',
  'call-completed',
  'call-outcoming',
  'document',
  'IM',
  'circle-check',
  'info',
  'relation',
  'link',
  'unlink',
  'store',
  'view',
  'stage-change',
  'sum',
  'open-line-incoming-message',
  'clock',
  'mail-outcome',
  'complete',
  'check',
  'comment',
  'sms',
  'task',
  'pipeline',
  'wallet',
  'attention',
  'bank-card',
  'conversion',
  'calendar',
  'circle-crossed',
  'task-ping',
  'task-new-comment',
  'task-viewed-comment',
  'task-activity',
  'ai-copilot',
  'restoration',
  'arrow-up',
  'arrow-down',
  'visit',
] as const;

/** System timeline logo codes (`crm.timeline.logo.list`). Note `notification` is a logo, not an icon. */
export const SYSTEM_LOGOS = [
  'call-play-record',
  'call-default',
  'call-incoming',
  'call-outgoing',
  'document',
  'document-print',
  'document-signed',
  'document-draft',
  'channel-chat',
  'channel-avito',
  'channel-apple',
  'channel-fb',
  'channel-fb-chat',
  'channel-instagram-direct',
  'channel-bitrix',
  'channel-ok',
  'channel-telegram',
  'channel-viber',
  'channel-vk',
  'channel-vk-order',
  'channel-whatsapp-bitrix',
  'channel-edna',
  'channel-whatsapp',
  'mail-outcome',
  'list-check',
  'shop',
  'notification',
  'comment',
  'sms',
  'shop-eye',
  'bank-card',
  'calendar-share',
  'unread-comment',
  'task-activity',
  'ai-copilot',
  'zoom',
  'bizproc',
  'bizproc-task',
] as const;

export type SystemIcon = (typeof SYSTEM_ICONS)[number];
export type SystemLogo = (typeof SYSTEM_LOGOS)[number];

export const TAG_TYPES = ['warning', 'success', 'failure', 'primary', 'secondary', 'lavender'] as const;
export const BUTTON_TYPES = ['primary', 'secondary'] as const;
export const BADGE_TYPES = ['success', 'failure', 'warning', 'primary', 'secondary'] as const;
export const SCOPES = ['web', 'mobile'] as const;
export const ANIMATION_TYPES = ['loader', 'disable'] as const;
export const TEXT_SIZES = ['xs', 'sm', 'md'] as const;
export const TEXT_COLORS = ['base_50', 'base_60', 'base_70', 'base_90'] as const;
export const SLIDER_LABEL_BG_COLORS = ['aqua', 'green', 'orange', 'brown', 'pink', 'blue', 'grey', 'violet'] as const;
export const CONTENT_BLOCK_TYPES = ['text', 'largeText', 'link', 'withTitle', 'lineOfBlocks', 'deadline'] as const;
/** The block types allowed inside `withTitle.block` and `lineOfBlocks.blocks`. */
export const SIMPLE_CONTENT_BLOCK_TYPES = ['text', 'link', 'deadline'] as const;

/** Limits enforced by the portal's DTO validators. */
export const LIMITS = {
  headerTags: 2,
  bodyBlocks: 20,
  lineOfBlocks: 20,
  footerButtons: 2,
  menuItems: 10,
  actionParams: 20,
} as const;

export type TagType = (typeof TAG_TYPES)[number];
export type ButtonType = (typeof BUTTON_TYPES)[number];
export type BadgeType = (typeof BADGE_TYPES)[number];
export type Scope = (typeof SCOPES)[number];
export type AnimationType = (typeof ANIMATION_TYPES)[number];
export type TextSize = (typeof TEXT_SIZES)[number];
export type TextColor = (typeof TEXT_COLORS)[number];
