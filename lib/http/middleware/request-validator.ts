import type middy from '@middy/core';
import type { z } from 'zod';
import { AppError, type FieldProblem } from '../../errors';
import { responseLanguage } from '../language';
import type { HttpContext, HttpEvent, HttpResult } from '../types';
import { errorMapFor, toFieldProblems } from '../validation';

export interface RequestSchema {
  /** The JSON body; the request must then carry a JSON object. */
  body?: z.ZodType;
  /** The query string parameters (all strings as sent). */
  query?: z.ZodType;
}

const defaults: RequestSchema = {};

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates and parses the request against the endpoint's schema, putting the typed
 * result on `event.validated`. Every problem is reported at once, field by field.
 */
export function requestValidator(
  options: RequestSchema = {},
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  const schema = { ...defaults, ...options };
  return {
    before: (request) => {
      const language = responseLanguage(request.context);
      const error = errorMapFor(language);
      const problems: FieldProblem[] = [];
      const validated: { body: unknown; query: unknown } = { body: undefined, query: undefined };

      if (schema.body) {
        if (!isJsonObject(request.event.body)) throw new AppError('INVALID_JSON');
        const result = schema.body.safeParse(request.event.body, { error });
        if (result.success) validated.body = result.data;
        else problems.push(...toFieldProblems(result.error, language, 'body'));
      }
      if (schema.query) {
        const result = schema.query.safeParse(request.event.queryStringParameters ?? {}, { error });
        if (result.success) validated.query = result.data;
        else problems.push(...toFieldProblems(result.error, language, 'query'));
      }

      if (problems.length > 0) throw new AppError('VALIDATION_ERROR', problems);
      request.event.validated = validated;
    },
  };
}
