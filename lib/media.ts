/**
 * What an `image` or `file` message's content may be: something a client fetches and
 * renders, so never a script, a local file or a plain-HTTP or internal address.
 *
 * - An `https://` URL of at most 2048 characters: parsed with the WHATWG URL parser (as
 *   browsers do), scheme `https:`, a host name (not an IP address: those are how internal
 *   services such as the metadata endpoint 169.254.169.254 are reached, and a real media
 *   host has a name), no user name or password, no whitespace or backslash anywhere (the
 *   parser would quietly drop or turn them into something else).
 * - A storage key: 1–512 of `A-Z a-z 0-9 / _ . -`, with no `.` or `..` path segment (a key
 *   that walks up a folder is never a real object's name).
 */
export const MAX_MEDIA_URL_LENGTH = 2048;
export const MAX_STORAGE_KEY_LENGTH = 512;

const storageKey = /^[A-Za-z0-9/_.-]{1,512}$/;

export function isStorageKey(content: string): boolean {
  return (
    storageKey.test(content) &&
    content.split('/').every((segment) => segment !== '.' && segment !== '..')
  );
}

/** An IPv4 address (the parser has already turned `0x7f.1` and `2130706433` into dotted form) or an IPv6 one. */
function isIpLiteral(hostname: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[');
}

export function isHttpsMediaUrl(content: string): boolean {
  if (content.length > MAX_MEDIA_URL_LENGTH) return false;
  // The parser forgives what a careful reader would not: `https:host`, `https:\\host`,
  // leading spaces, tabs and newlines inside. Require the plain form.
  if (!/^https:\/\/[^\s\\]+$/.test(content)) return false;
  let url: URL;
  try {
    url = new URL(content);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    url.hostname !== '' &&
    url.username === '' &&
    url.password === '' &&
    !isIpLiteral(url.hostname) &&
    // A name a public DNS could answer: not `localhost` or another single label.
    url.hostname.replace(/\.$/, '').includes('.')
  );
}

/** Whether `content` may be the content of an `image` or `file` message. */
export function isMediaReference(content: string): boolean {
  return isHttpsMediaUrl(content) || isStorageKey(content);
}
