import Ajv from 'ajv';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { asyncApi, openApi } from '../../scripts/api-reference';
import type { InvokeResult } from './invoke';

/**
 * Checks answers against the generated API reference: HTTP responses against the OpenAPI
 * document's response schemas (JSON Schema 2020-12), WebSocket frames against the AsyncAPI
 * document's message payloads (draft-07), with ajv. Each checker remembers what it has seen,
 * so a test can also require that every documented answer was produced at least once.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- documents

/** A JSON Pointer token (RFC 6901). */
const token = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

export class OpenApiChecker {
  readonly document: Json = openApi();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  /** `METHOD path status` of every response checked. */
  readonly seen = new Set<string>();

  constructor() {
    this.ajv.addSchema(this.document, 'openapi.json');
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }

  /** The pointer to the schema of one documented response (following a shared response's $ref). */
  responseSchemaPointer(method: string, path: string, status: number): string | undefined {
    const operation = this.document.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${method} ${path} is not in the OpenAPI document`);
    let response = operation.responses[String(status)];
    let pointer = `/paths/${token(path)}/${method.toLowerCase()}/responses/${status}`;
    if (response?.$ref) {
      const name = String(response.$ref).replace('#/components/responses/', '');
      response = this.document.components.responses[name];
      pointer = `/components/responses/${token(name)}`;
    }
    if (!response) return undefined;
    return response.content?.['application/json']
      ? `${pointer}/content/application~1json/schema`
      : undefined;
  }

  /** The problems of an answer against its operation's documented response (none: valid). */
  problems(method: string, path: string, result: InvokeResult): string[] {
    const key = `${method} ${path} ${result.status}`;
    const operation = this.document.paths[path]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${path} is not in the OpenAPI document`];
    const response = operation.responses[String(result.status)];
    if (!response) return [`${key}: this status is not documented`];
    this.seen.add(key);
    const problems: string[] = [];
    const resolved = response.$ref
      ? this.document.components.responses[String(response.$ref).split('/').pop() as string]
      : response;
    for (const header of Object.keys(resolved.headers ?? {})) {
      if (result.headers[header.toLowerCase()] === undefined) {
        problems.push(`${key}: no ${header} header`);
      }
    }
    const pointer = this.responseSchemaPointer(method, path, result.status);
    if (pointer) {
      const validate = this.validator(pointer);
      if (!validate(result.body)) {
        problems.push(
          ...(validate.errors ?? []).map(
            (error) => `${key}: ${error.instancePath || '(body)'} ${error.message}`,
          ),
        );
      }
    }
    return problems;
  }

  /** Validates a value against a schema of the document, by pointer. */
  validate(pointer: string, value: unknown): string[] {
    const validate = this.validator(pointer);
    return validate(value)
      ? []
      : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
  }
}

export class AsyncApiChecker {
  readonly document: Json = asyncApi();
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  /** The `type` of every server event checked. */
  readonly seen = new Set<string>();

  constructor() {
    this.ajv.addSchema(this.document, 'asyncapi.json');
  }

  /** The problems of a payload against a message of the document (none: valid). */
  problems(messageKey: string, payload: unknown): string[] {
    if (!this.document.components.messages[messageKey]) return [`no message ${messageKey}`];
    const validate = this.ajv.getSchema(
      `asyncapi.json#/components/messages/${token(messageKey)}/payload`,
    );
    if (!validate) return [`${messageKey}: no payload schema`];
    return validate(payload)
      ? []
      : (validate.errors ?? []).map(
          (error) => `${messageKey}: ${error.instancePath || '(payload)'} ${error.message}`,
        );
  }

  /** The problems of a frame the server sent, by its `type`. */
  eventProblems(event: { type?: unknown }): string[] {
    const type = String(event.type);
    this.seen.add(type);
    return this.problems(type, event);
  }
}
