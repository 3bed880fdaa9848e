import type { FieldProblem } from './api/schemas';

/**
 * Domain errors. Business code throws `AppError` with a stable code; the HTTP layer
 * maps each code to its status and localized text (lib/http/messages.ts).
 */
export const errorStatus = {
  INVALID_JSON: 400,
  VALIDATION_ERROR: 400,
  WRONG_PASSWORD: 400,
  SAME_PASSWORD: 400,
  WEAK_PASSWORD: 400,
  CANNOT_ADD_SELF: 400,
  CANNOT_MESSAGE_SELF: 400,
  CANNOT_BLOCK_SELF: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  NOT_FRIENDS: 403,
  BLOCKED: 403,
  NOT_SENDER: 403,
  RECALL_WINDOW_PASSED: 403,
  MESSAGE_NOT_FOUND: 404,
  CHAT_NOT_FOUND: 404,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  FRIEND_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  USERNAME_TAKEN: 409,
  EMAIL_TAKEN: 409,
  ALREADY_FRIENDS: 409,
  FRIEND_LIMIT_REACHED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/**
 * Why a request is UNAUTHORIZED (the body's `reason`): no token at all; an access token
 * that merely expired (refresh it); anything else (sign in again).
 */
export const unauthorizedReasons = ['missing_token', 'token_expired', 'invalid_token'] as const;
export type UnauthorizedReason = (typeof unauthorizedReasons)[number];

/** One problem of a refused request: `{field, message}` (lib/api/schemas.ts). */
export type { FieldProblem } from './api/schemas';

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;

  /** For RATE_LIMITED: when to try again (the `Retry-After` header). */
  readonly retryAfterSeconds: number | undefined;

  /** For UNAUTHORIZED: what the client should do (the body's `reason`, `WWW-Authenticate`). */
  readonly reason: UnauthorizedReason | undefined;
  /** For METHOD_NOT_ALLOWED: the methods the path answers (the `Allow` header). */
  readonly allow: readonly string[] | undefined;

  constructor(
    readonly code: ErrorCode,
    readonly details?: FieldProblem[],
    options?: {
      cause?: unknown;
      retryAfterSeconds?: number;
      reason?: UnauthorizedReason;
      allow?: readonly string[];
    },
  ) {
    super(code, options);
    this.status = errorStatus[code];
    this.retryAfterSeconds = options?.retryAfterSeconds;
    // Unless told otherwise, a refused token cannot be refreshed: sign in again.
    this.reason = options?.reason ?? (code === 'UNAUTHORIZED' ? 'invalid_token' : undefined);
    this.allow = options?.allow;
  }
}
