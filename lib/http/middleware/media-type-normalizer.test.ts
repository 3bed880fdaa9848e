import { mediaTypeNormalizer } from './media-type-normalizer';
import type { HttpEvent } from '../types';

function normalize(contentType: string | undefined): string | undefined {
  const headers: Record<string, string> = {};
  if (contentType !== undefined) headers['content-type'] = contentType;
  const middleware = mediaTypeNormalizer();
  const request = { event: { headers } as unknown as HttpEvent } as Parameters<
    NonNullable<typeof middleware.before>
  >[0];
  void middleware.before?.(request);
  return headers['content-type'];
}

describe('mediaTypeNormalizer', () => {
  it.each([
    ['Application/JSON', 'application/json'],
    [' APPLICATION/JSON ; charset=UTF-8', 'application/json; charset=UTF-8'],
    ['application/vnd.api+JSON', 'application/vnd.api+json'],
    ['application/json;', 'application/json'],
    ['application/json; ;charset=utf-8', 'application/json;charset=utf-8'],
    ['text/plain', 'text/plain'],
    ['', ''],
  ])('turns %j into %j', (input, output) => {
    expect(normalize(input)).toBe(output);
  });

  it('leaves a missing header missing', () => {
    expect(normalize(undefined)).toBeUndefined();
  });
});
