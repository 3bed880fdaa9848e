import { createHash } from 'node:crypto';
import { warnAboutConfiguration, type LambdaHandler } from './handler';
import { httpStack } from './stack';
import { responseLanguage } from './language';
import type { Language } from './messages';

export interface PageInput {
  /** The language negotiated from Accept-Language (the stack's error texts use it too). */
  language: Language;
}

export interface Page {
  html: string;
  /**
   * Content-Security-Policy directives the page needs beyond the strict base (e.g.
   * `connect-src`). `script-src` and `style-src` are derived from the page's own inline
   * `<script>` and `<style>` elements and must not be given.
   */
  contentSecurityPolicy?: Record<string, string>;
}

/**
 * What every page may do: nothing, unless allowed below or by the page. No plugins, no
 * framing, no <base>, no form posts, and no HTML built from strings (Trusted Types with no
 * policy: assigning a string to innerHTML throws, so a page can only build DOM nodes).
 */
const baseDirectives: Record<string, string> = {
  'default-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
  'require-trusted-types-for': "'script'",
  'trusted-types': "'none'",
};

/** Text made safe inside a double-quoted HTML attribute. */
export function htmlAttribute(text: string): string {
  return text.replace(/[&"'<>]/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The CSP source expressions (`'sha256-…'`) of a page's inline elements of one tag. */
export function inlineHashes(html: string, tag: 'script' | 'style'): string[] {
  // Only bare opening tags: an element with attributes (src, type…) is not hashed.
  const pattern = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g');
  return [...html.matchAll(pattern)].map(
    ([, body]) =>
      `'sha256-${createHash('sha256')
        .update(body ?? '', 'utf8')
        .digest('base64')}'`,
  );
}

/** The policy for one page: the base, the hashes of its inline code, and its own directives. */
export function pagePolicy(page: Page): string {
  const own = page.contentSecurityPolicy ?? {};
  for (const directive of ['script-src', 'style-src']) {
    if (directive in own) throw new Error(`${directive} comes from the page's inline elements`);
  }
  const scripts = inlineHashes(page.html, 'script');
  const styles = inlineHashes(page.html, 'style');
  const directives = {
    ...baseDirectives,
    ...(scripts.length > 0 ? { 'script-src': scripts.join(' ') } : {}),
    ...(styles.length > 0 ? { 'style-src': styles.join(' ') } : {}),
    ...own,
  };
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/**
 * An HTML page on the HTTP stack: the same logging, language negotiation, security and
 * no-store headers and error mapping as the API (errors still answer the contract's JSON),
 * with a Content-Security-Policy that allows exactly the page's own inline script and
 * style, by hash, instead of @middy/http-security-headers' API default (which allows no
 * script at all).
 */
export function httpPage(render: (input: PageInput) => Page | Promise<Page>): LambdaHandler {
  warnAboutConfiguration();
  let last: { key: string; policy: string } | undefined;
  return httpStack({ securityHeaders: { contentSecurityPolicy: false } }).handler(
    async (_event, context) => {
      const page = await render({ language: responseLanguage(context) });
      // The page rarely changes within a container: hash it once.
      const key = `${JSON.stringify(page.contentSecurityPolicy ?? {})}\n${page.html}`;
      if (last?.key !== key) last = { key, policy: pagePolicy(page) };
      return {
        statusCode: 200,
        headers: {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': last.policy,
        },
        body: page.html,
      };
    },
  );
}
