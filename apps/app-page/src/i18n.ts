/** English and Russian, following the portal's LANG (the server picks `en` or `ru`). */
const en = {
  appTitle: 'Approvals',
  tabApprovals: 'Approvals',
  tabBadges: 'Badges',
  tabSettings: 'Settings',
  tabActivities: 'Activities',
  tabOperations: 'Operations',
  admin: 'administrator',
  user: 'user',
  loading: 'Loading…',
  retry: 'Try again',
  save: 'Save',
  saved: 'Saved',
  cancel: 'Cancel',
  delete: 'Delete',
  close: 'Close',
  empty: 'Nothing here yet.',
  badgeCode: 'Code',
  badgeCodeHelp: 'Latin letters, digits, "_" and "-", e.g. approval_pending',
  badgeType: 'Colour',
  badgeTitle: 'Title',
  badgeValue: 'Value',
  language: 'Language',
  addLanguage: 'Add a language',
  addBadge: 'Add badge',
  newBadge: 'New badge',
  preview: 'Preview',
  badgeDeleteText: 'The badge {code} is removed from the portal. Cards that use it lose their mark.',
  pendingBadge: 'Badge of pending approvals',
  noBadge: 'No badge',
  createDefaultBadge: 'Create the app’s default badge',
  cardLanguage: 'Card language',
  cardIcon: 'Card icon',
  cardLogo: 'Card logo',
  defaultChoice: 'App default',
  settingsHelp: 'A new approval uses these settings.',
  onlyAdmins: 'Only a Bitrix24 administrator can change this.',
  state: 'State',
  all: 'All',
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  failed: 'Error',
  title: 'Title',
  approver: 'Approver',
  requester: 'Requester',
  created: 'Created',
  decided: 'Decided',
  decidedBy: 'By',
  search: 'Search by title',
  prev: 'Previous',
  next: 'Next',
  pageOf: 'Page {page} of {pages}',
  details: 'Details',
  description: 'Description',
  deadline: 'Deadline',
  decision: 'Decision',
  clicks: 'Clicks',
  action: 'Action',
  outcome: 'Outcome',
  timings: 'Received → enqueued → processing → card updated → finished',
  activity: 'Activity',
  owner: 'CRM item',
  completed: 'Completed',
  activityDeleteText: 'Activity #{id} is deleted from the portal’s timeline.',
  portalStatus: 'Portal',
  installedAt: 'Installed',
  tokenExpires: 'App token expires',
  refreshRenewed: 'Refresh token renewed',
  keepAlive: 'Token keep-alive',
  keepAliveOk: 'OK',
  needsReinstall: 'Needs reinstall',
  locked: 'Clicks still locked',
  failedClicks: 'Failed clicks',
  recent: 'Recent activity',
  replay: 'Replay',
  replayed: 'Sent again',
  error: 'Error',
  yes: 'yes',
  no: 'no',
  about:
    'Approval requests as activities in the CRM timeline: approvers decide on the card, the app records who, when and why.',
  notFoundApproval: 'This approval is not known to the app.',
  refused: 'Bitrix24 refused: you do not have the rights for this.',
  sessionEnded: 'Your session ended. Reopen the app from Bitrix24.',
};
type Dict = typeof en;
const ru: Dict = {
  appTitle: 'Согласования',
  tabApprovals: 'Согласования',
  tabBadges: 'Бейджи',
  tabSettings: 'Настройки',
  tabActivities: 'Дела',
  tabOperations: 'Эксплуатация',
  admin: 'администратор',
  user: 'пользователь',
  loading: 'Загрузка…',
  retry: 'Повторить',
  save: 'Сохранить',
  saved: 'Сохранено',
  cancel: 'Отмена',
  delete: 'Удалить',
  close: 'Закрыть',
  empty: 'Пока ничего нет.',
  badgeCode: 'Код',
  badgeCodeHelp: 'Латинские буквы, цифры, «_» и «-», например approval_pending',
  badgeType: 'Цвет',
  badgeTitle: 'Заголовок',
  badgeValue: 'Значение',
  language: 'Язык',
  addLanguage: 'Добавить язык',
  addBadge: 'Добавить бейдж',
  newBadge: 'Новый бейдж',
  preview: 'Предпросмотр',
  badgeDeleteText: 'Бейдж {code} будет удалён с портала. Карточки с ним потеряют отметку.',
  pendingBadge: 'Бейдж ожидающих согласований',
  noBadge: 'Без бейджа',
  createDefaultBadge: 'Создать бейдж приложения',
  cardLanguage: 'Язык карточки',
  cardIcon: 'Иконка карточки',
  cardLogo: 'Логотип карточки',
  defaultChoice: 'По умолчанию',
  settingsHelp: 'Новые согласования используют эти настройки.',
  onlyAdmins: 'Изменить это может только администратор Битрикс24.',
  state: 'Статус',
  all: 'Все',
  pending: 'Ожидает',
  approved: 'Согласовано',
  rejected: 'Отклонено',
  failed: 'Ошибка',
  title: 'Название',
  approver: 'Согласующий',
  requester: 'Инициатор',
  created: 'Создано',
  decided: 'Решено',
  decidedBy: 'Кем',
  search: 'Поиск по названию',
  prev: 'Назад',
  next: 'Вперёд',
  pageOf: 'Страница {page} из {pages}',
  details: 'Подробнее',
  description: 'Описание',
  deadline: 'Крайний срок',
  decision: 'Решение',
  clicks: 'Нажатия',
  action: 'Действие',
  outcome: 'Итог',
  timings: 'Получено → в очереди → обработка → карточка обновлена → готово',
  activity: 'Дело',
  owner: 'Элемент CRM',
  completed: 'Завершено',
  activityDeleteText: 'Дело №{id} будет удалено из ленты портала.',
  portalStatus: 'Портал',
  installedAt: 'Установлено',
  tokenExpires: 'Токен приложения истекает',
  refreshRenewed: 'Refresh-токен обновлён',
  keepAlive: 'Продление токена',
  keepAliveOk: 'В порядке',
  needsReinstall: 'Нужна переустановка',
  locked: 'Заблокированные нажатия',
  failedClicks: 'Нажатия с ошибкой',
  recent: 'Недавние события',
  replay: 'Повторить',
  replayed: 'Отправлено снова',
  error: 'Ошибка',
  yes: 'да',
  no: 'нет',
  about:
    'Запросы на согласование как дела в ленте CRM: согласующий решает прямо в карточке, приложение хранит кто, когда и почему.',
  notFoundApproval: 'Приложению неизвестно это согласование.',
  refused: 'Битрикс24 отказал: у вас нет прав на это действие.',
  sessionEnded: 'Сессия закончилась. Откройте приложение из Битрикс24 заново.',
};

export type MessageKey = keyof Dict;
let dict: Dict = en;
export let locale: 'en' | 'ru' = 'en';

export function setLocale(lang: 'en' | 'ru'): void {
  locale = lang;
  dict = lang === 'ru' ? ru : en;
  document.documentElement.lang = lang;
}

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return dict[key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(locale === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
}

/** A `textWithTranslation` shown in the page's language (falls back to English, then any). */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const r = v as Record<string, string>;
    return r[locale] ?? r.en ?? Object.values(r)[0] ?? '';
  }
  return '';
}

/** A readable message for an API error: Bitrix24's refusal and an ended session get our own words. */
export function errorText(e: unknown): string {
  const err = e as { code?: string; b24Code?: string; message?: string };
  if (err?.b24Code === 'ACCESS_DENIED') return `${t('refused')} (ACCESS_DENIED)`;
  if (err?.code === 'UNAUTHORIZED') return t('sessionEnded');
  return err?.message ?? String(e);
}
