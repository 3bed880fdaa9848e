import fc from 'fast-check';
import { AppError } from '../../errors';
import type { WsEvent } from '../types';
import { wsFrameParser } from './ws-frame-parser';

type Outcome = { parsed: unknown } | { code: string };

// The middleware reads only event.body and event.isBase64Encoded, and replaces event.body.
function parse(body: unknown, isBase64Encoded = false, maxBytes?: number): Outcome {
  const middleware = wsFrameParser(maxBytes === undefined ? {} : { maxBytes });
  const event = { body, isBase64Encoded } as WsEvent;
  const request = { event, context: {}, internal: {} } as unknown as Parameters<
    NonNullable<typeof middleware.before>
  >[0];
  try {
    void middleware.before?.(request);
    return { parsed: event.body };
  } catch (error) {
    // Anything but an AppError escapes the assertion below as the raw error.
    if (!(error instanceof AppError)) throw error;
    return { code: error.code };
  }
}

/** What the contract says a frame's text must become. */
function expected(text: string, maxBytes = 64 * 1024): Outcome {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) return { code: 'PAYLOAD_TOO_LARGE' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: 'INVALID_JSON' };
  }
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  return isObject ? { parsed: value } : { code: 'INVALID_JSON' };
}

describe('wsFrameParser', () => {
  it('replaces the frame text with the parsed JSON object', () => {
    expect(parse('{"action":"typing","to":7,"state":"start"}')).toEqual({
      parsed: { action: 'typing', to: 7, state: 'start' },
    });
    expect(parse(' \n{"action":"ping","nested":{"a":[1,null,"😀"]}}\t')).toEqual({
      parsed: { action: 'ping', nested: { a: [1, null, '😀'] } },
    });
    expect(parse('{}')).toEqual({ parsed: {} });
  });

  it('decodes a base64-encoded frame first', () => {
    const text = JSON.stringify({ action: 'ping', note: '张三' });
    expect(parse(Buffer.from(text, 'utf8').toString('base64'), true)).toEqual({
      parsed: { action: 'ping', note: '张三' },
    });
    // The same text not marked as base64 is not JSON.
    expect(parse(Buffer.from(text, 'utf8').toString('base64'), false)).toEqual({
      code: 'INVALID_JSON',
    });
  });

  it.each([
    ['malformed JSON', '{"action":'],
    ['an empty frame', ''],
    ['whitespace only', '   '],
    ['plain text', 'ping'],
    ['a JSON array', '[{"action":"ping"}]'],
    ['a JSON string', '"ping"'],
    ['a JSON number', '42'],
    ['JSON true', 'true'],
    ['JSON null', 'null'],
    ['two objects', '{}{}'],
    ['a trailing comma', '{"action":"ping",}'],
  ])('refuses %s as INVALID_JSON', (_, text) => {
    expect(parse(text)).toEqual({ code: 'INVALID_JSON' });
  });

  it.each([
    ['no body', undefined],
    ['null', null],
    ['an already-parsed object', { action: 'ping' }],
    ['a number', 42],
  ])('refuses %s (not a frame text) as INVALID_JSON', (_, body) => {
    expect(parse(body)).toEqual({ code: 'INVALID_JSON' });
  });

  it('keeps the parse error as the cause of INVALID_JSON', () => {
    const middleware = wsFrameParser();
    const request = { event: { body: '{oops' } as WsEvent } as unknown as Parameters<
      NonNullable<typeof middleware.before>
    >[0];
    let caught: unknown;
    try {
      void middleware.before?.(request);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('INVALID_JSON');
    expect((caught as AppError).cause).toBeInstanceOf(SyntaxError);
  });

  it('allows exactly 64 KiB and refuses one byte more, unread', () => {
    const frame = (size: number) => {
      const prefix = '{"action":"ping","pad":"';
      return `${prefix}${'a'.repeat(size - prefix.length - 2)}"}`;
    };
    expect(Buffer.byteLength(frame(64 * 1024))).toBe(64 * 1024);
    expect(parse(frame(64 * 1024))).toMatchObject({ parsed: { action: 'ping' } });
    expect(parse(frame(64 * 1024 + 1))).toEqual({ code: 'PAYLOAD_TOO_LARGE' });
    // Too large wins over malformed: an oversized frame is never parsed.
    expect(parse('x'.repeat(64 * 1024 + 1))).toEqual({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('counts UTF-8 bytes, and decoded bytes of a base64 frame', () => {
    // 21,846 three-byte characters: 65,538 bytes in 21,846 UTF-16 units.
    expect(parse(`{"a":"${'€'.repeat(21846)}"}`)).toEqual({ code: 'PAYLOAD_TOO_LARGE' });
    const large = `{"a":"${'b'.repeat(64 * 1024)}"}`;
    expect(parse(Buffer.from(large).toString('base64'), true)).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
    });
    const fits = `{"a":"${'b'.repeat(64 * 1024 - 8)}"}`;
    expect(parse(Buffer.from(fits).toString('base64'), true)).toMatchObject({
      parsed: { a: expect.any(String) },
    });
  });

  it('takes a smaller limit as an option', () => {
    expect(parse('{"a":1}', false, 7)).toEqual({ parsed: { a: 1 } });
    expect(parse('{"a":12}', false, 7)).toEqual({ code: 'PAYLOAD_TOO_LARGE' });
  });

  describe('fuzz: any frame text becomes a parsed object, INVALID_JSON or PAYLOAD_TOO_LARGE', () => {
    const runs = Number(process.env.FUZZ_RUNS ?? 1000);

    it('any string', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ unit: 'grapheme', maxLength: 200 }),
            fc.string({ unit: 'binary', maxLength: 200 }),
            fc.string({ unit: 'binary-ascii', maxLength: 200 }),
          ),
          (text) => {
            expect(parse(text)).toEqual(expected(text));
          },
        ),
        { numRuns: runs },
      );
    });

    it('any JSON text', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.json({ maxDepth: 4 }),
            // Cut short: mostly malformed JSON.
            fc
              .tuple(fc.json({ maxDepth: 4 }), fc.nat())
              .map(([text, cut]) => text.slice(0, cut % (text.length + 1))),
          ),
          (text) => {
            expect(parse(text)).toEqual(expected(text));
          },
        ),
        { numRuns: runs },
      );
    });

    it('any JSON value, stringified', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
          const text = JSON.stringify(value);
          const outcome = parse(text);
          if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
            expect(outcome).toEqual({ parsed: JSON.parse(text) });
          } else {
            expect(outcome).toEqual({ code: 'INVALID_JSON' });
          }
        }),
        { numRuns: runs },
      );
    });

    it('any bytes, base64-encoded', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
            fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text, 'utf8')),
          ),
          (bytes) => {
            const outcome = parse(bytes.toString('base64'), true);
            expect(outcome).toEqual(expected(bytes.toString('utf8')));
          },
        ),
        { numRuns: runs },
      );
    });

    it('any string marked as base64, even when it is not', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
          const outcome = parse(text, true);
          expect(outcome).toEqual(expected(Buffer.from(text, 'base64').toString('utf8')));
        }),
        { numRuns: runs },
      );
    });

    it('any size around the limit', () => {
      fc.assert(
        fc.property(
          fc.json({ maxDepth: 2 }),
          fc.nat(300),
          fc.constantFrom('a', 'é', '€', '😀'),
          (json, limit, filler) => {
            const text = `{"pad":"${filler.repeat(limit % 97)}","v":${json}}`;
            expect(parse(text, false, limit)).toEqual(expected(text, limit));
          },
        ),
        { numRuns: runs },
      );
    });
  });
});
