import httpContentNegotiation from '@middy/http-content-negotiation';
import { languages, type Language } from './messages';

/**
 * @middy/http-content-negotiation, for the response language only: `Accept-Language` picks
 * English or Chinese (the default); nothing else is negotiated and nothing is refused.
 */
export function languageNegotiation() {
  return httpContentNegotiation({
    parseLanguages: true,
    availableLanguages: [...languages],
    failOnMismatch: false,
    parseCharsets: false,
    parseEncodings: false,
    parseMediaTypes: false,
  });
}

/** The response language negotiated for this request (Chinese unless English is preferred). */
export function responseLanguage(context: { preferredLanguage?: string } | undefined): Language {
  const preferred = context?.preferredLanguage;
  return languages.find((language) => language === preferred) ?? 'zh';
}
