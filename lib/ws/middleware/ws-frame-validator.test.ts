import fc from 'fast-check';
import type * as z from 'zod';
import { frameSchema as defaultFrame } from '../../../functions/ws/default';
import { frameSchema as pingFrame } from '../../../functions/ws/ping';
import { frameSchema as typingFrame } from '../../../functions/ws/typing';
import { AppError, type FieldProblem } from '../../errors';
import type { WsContext, WsEvent } from '../types';
import { wsFrameValidator } from './ws-frame-validator';

type Outcome = { frame: unknown } | { code: string; details: FieldProblem[] | undefined };

// The middleware reads event.body and the negotiated language; it sets event.frame.
function validate(schema: z.ZodType, body: unknown, preferredLanguage?: string): Outcome {
  const middleware = wsFrameValidator(schema);
  const event = { body } as WsEvent;
  const context = { preferredLanguage } as WsContext;
  const request = { event, context, internal: {} } as unknown as Parameters<
    NonNullable<typeof middleware.before>
  >[0];
  try {
    void middleware.before?.(request);
    return { frame: event.frame };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { code: error.code, details: error.details };
  }
}

describe('wsFrameValidator', () => {
  it('puts the typed frame on the event, transformed by the schema', () => {
    expect(validate(typingFrame, { action: 'typing', to: 42, state: 'start' })).toEqual({
      frame: { action: 'typing', to: 42, state: 'start' },
    });
    // IDs may be strings of digits; the frame carries the number.
    expect(validate(typingFrame, { action: 'typing', to: '42', state: 'stop' })).toEqual({
      frame: { action: 'typing', to: 42, state: 'stop' },
    });
    expect(validate(pingFrame, { action: 'ping' })).toEqual({ frame: { action: 'ping' } });
  });

  it('drops unknown fields, as HTTP bodies do', () => {
    expect(validate(pingFrame, { action: 'ping', extra: { deep: true } })).toEqual({
      frame: { action: 'ping' },
    });
  });

  it('refuses a bad frame as VALIDATION_ERROR with one detail per field, in Chinese by default', () => {
    expect(validate(typingFrame, { action: 'typing', to: 'abc', state: 'maybe' })).toEqual({
      code: 'VALIDATION_ERROR',
      details: [
        { field: 'to', message: '必须是正整数' },
        { field: 'state', message: '须为以下之一：start, stop' },
      ],
    });
    expect(validate(typingFrame, { action: 'typing', state: 'start' })).toEqual({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'to', message: '必填' }],
    });
  });

  it('speaks English on a connection opened in English', () => {
    expect(validate(typingFrame, { action: 'typing', to: 0, state: 'start' }, 'en')).toEqual({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'to', message: 'must be a positive integer' }],
    });
    expect(validate(defaultFrame, { action: 'dance' }, 'en')).toEqual({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'action', message: 'must be one of: ping, typing' }],
    });
    expect(validate(defaultFrame, {}, 'en')).toEqual({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'action', message: 'must be one of: ping, typing' }],
    });
  });

  it('falls back to Chinese for a language it does not speak', () => {
    expect(validate(defaultFrame, { action: 5 }, 'fr')).toEqual({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'action', message: '须为以下之一：ping, typing' }],
    });
  });

  it('names the whole frame when what fails is not a field', () => {
    expect(validate(pingFrame, undefined, 'en')).toEqual({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'frame', message: 'is required' }],
    });
    expect(validate(pingFrame, ['ping'])).toEqual({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'frame', message: expect.any(String) }],
    });
  });

  it.each([0, -1, 1.5, 9007199254740992, '0', '-3', '1e3', '12345678901234567', '', null, true])(
    'refuses to: %j',
    (to) => {
      const outcome = validate(typingFrame, { action: 'typing', to, state: 'start' }, 'en');
      expect(outcome).toEqual({
        code: 'VALIDATION_ERROR',
        details: [{ field: 'to', message: 'must be a positive integer' }],
      });
    },
  );

  describe('fuzz: any object is a typed frame or VALIDATION_ERROR with details', () => {
    const runs = Number(process.env.FUZZ_RUNS ?? 1000);
    const anything = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.double(),
      fc.constantFrom('typing', 'ping', 'start', 'stop', '7', '0007', 7, 0, -7, undefined),
    );
    const frames = fc.oneof(
      fc.dictionary(fc.string({ maxLength: 8 }), anything, { maxKeys: 5 }),
      fc.record({ action: anything, to: anything, state: anything }, { requiredKeys: [] }),
      fc.record({
        action: fc.constant('typing'),
        to: fc.oneof(fc.integer(), fc.nat().map(String), anything),
        state: fc.oneof(fc.constantFrom('start', 'stop'), anything),
      }),
    );

    it.each([
      ['typing', typingFrame],
      ['ping', pingFrame],
      ['$default', defaultFrame],
    ])('%s', (_, schema) => {
      fc.assert(
        fc.property(frames, fc.constantFrom(undefined, 'zh', 'en'), (body, language) => {
          const outcome = validate(schema, body, language);
          const accepted = schema.safeParse(body).success;
          if ('frame' in outcome) {
            expect(accepted).toBe(true);
            if (schema === typingFrame) {
              const frame = outcome.frame as { action: unknown; to: unknown; state: unknown };
              expect(frame.action).toBe('typing');
              expect(Number.isSafeInteger(frame.to) && (frame.to as number) >= 1).toBe(true);
              expect(['start', 'stop']).toContain(frame.state);
            } else {
              expect(['ping', 'typing']).toContain((outcome.frame as { action: unknown }).action);
            }
          } else {
            expect(accepted).toBe(false);
            expect(outcome.code).toBe('VALIDATION_ERROR');
            expect(outcome.details?.length).toBeGreaterThan(0);
            for (const detail of outcome.details ?? []) {
              expect(detail).toEqual({ field: expect.any(String), message: expect.any(String) });
              expect(detail.field).not.toBe('');
              expect(detail.message).not.toBe('');
              // A schema key never leaks untranslated.
              expect(detail.message).not.toMatch(/^[A-Z_]+(\|.*)?$/);
            }
          }
        }),
        { numRuns: runs },
      );
    });
  });
});
