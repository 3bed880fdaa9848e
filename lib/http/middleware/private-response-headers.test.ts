import { privateResponseHeaders } from './private-response-headers';

function apply(headers: Record<string, string> | undefined) {
  const middleware = privateResponseHeaders();
  const request = { response: { statusCode: 200, headers } } as unknown as Parameters<
    NonNullable<typeof middleware.after>
  >[0];
  void middleware.after?.(request);
  return request.response?.headers;
}

describe('privateResponseHeaders', () => {
  it('forbids caching and varies on Accept-Language', () => {
    expect(apply(undefined)).toEqual({ 'Cache-Control': 'no-store', Vary: 'Accept-Language' });
  });

  it('keeps an existing Vary and does not repeat itself', () => {
    expect(apply({ vary: 'Origin' })?.Vary).toBe('Origin, Accept-Language');
    expect(apply({ Vary: 'accept-language, Origin' })?.Vary).toBe('accept-language, Origin');
  });

  it('overrides a weaker Cache-Control', () => {
    expect(apply({ 'Cache-Control': 'public, max-age=60' })?.['Cache-Control']).toBe('no-store');
  });
});
