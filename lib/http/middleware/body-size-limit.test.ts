import fc from 'fast-check';
import { AppError } from '../../errors';
import { bodySizeLimit } from './body-size-limit';
import type { HttpEvent } from '../types';

// The middleware reads only event.body and event.isBase64Encoded.
function run(body: unknown, isBase64Encoded = false, maxBytes?: number): void {
  const middleware = bodySizeLimit(maxBytes === undefined ? {} : { maxBytes });
  const request = { event: { body, isBase64Encoded } as HttpEvent } as Parameters<
    NonNullable<typeof middleware.before>
  >[0];
  void middleware.before?.(request);
}

function rejects(action: () => void): boolean {
  try {
    action();
    return false;
  } catch (error) {
    return error instanceof AppError && error.code === 'PAYLOAD_TOO_LARGE';
  }
}

describe('bodySizeLimit', () => {
  it('allows exactly 64 KiB and refuses one byte more', () => {
    expect(rejects(() => run('a'.repeat(64 * 1024)))).toBe(false);
    expect(rejects(() => run('a'.repeat(64 * 1024 + 1)))).toBe(true);
  });

  it('counts UTF-8 bytes and decoded base64 bytes', () => {
    expect(rejects(() => run('€'.repeat(21846)))).toBe(true); // 65,538 bytes
    const decoded = Buffer.alloc(64 * 1024 + 1).toString('base64');
    expect(rejects(() => run(decoded, true))).toBe(true);
    expect(rejects(() => run(Buffer.alloc(64 * 1024).toString('base64'), true))).toBe(false);
  });

  it('ignores a missing body', () => {
    expect(rejects(() => run(undefined))).toBe(false);
  });

  it('rejects a string exactly when its UTF-8 size is over the limit (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), fc.nat(200), (body, limit) => {
        const tooLarge = Buffer.byteLength(body, 'utf8') > limit;
        expect(rejects(() => run(body, false, limit))).toBe(tooLarge);
      }),
      { numRuns: 1000 },
    );
  });
});
