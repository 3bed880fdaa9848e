import { languages, type Language } from './messages';

/** The response language negotiated for this request (Chinese unless English is preferred). */
export function responseLanguage(context: { preferredLanguage?: string } | undefined): Language {
  const preferred = context?.preferredLanguage;
  return languages.find((language) => language === preferred) ?? 'zh';
}
