/** A plain string, or a non-empty `{lang: text}` object such as `{"en": "Save", "de": "Speichern"}`. */
export type TextWithTranslation = string | Record<string, string>;

/**
 * Resolves a textWithTranslation exactly as Bitrix24 does: the current language, else `en`, else the first
 * translation; an empty object resolves to ''.
 */
export function resolveText(text: TextWithTranslation, lang: string): string {
  if (typeof text === 'string') return text;
  if (Object.hasOwn(text, lang)) return text[lang] as string;
  if (Object.hasOwn(text, 'en')) return text.en as string;
  for (const key in text) {
    if (Object.hasOwn(text, key)) return text[key] as string;
  }
  return '';
}
