import type { ErrorCode, FieldProblem } from '../errors';
import type { Friend } from '../friends';
import type { Message } from '../messages';

/**
 * What the server sends over a WebSocket: `{type, data}` JSON text frames. The contract's
 * table of events, as types; delivery rules live in ./publish.ts.
 */
export type ServerEvent =
  | { type: 'message.new'; data: { message: Message } }
  | { type: 'message.read'; data: MessageReadData }
  | { type: 'message.recalled'; data: { message: Message } }
  | { type: 'typing'; data: { from: number; state: TypingState } }
  | { type: 'friend.added'; data: { friend: Friend } }
  | { type: 'friend.removed'; data: { friend_id: number } }
  | { type: 'pong'; data: Record<string, never> }
  | { type: 'error'; data: ErrorFrameData };

export type ServerEventType = ServerEvent['type'];

export const typingStates = ['start', 'stop'] as const;
export type TypingState = (typeof typingStates)[number];

export interface MessageReadData {
  /** Who read. */
  reader_id: number;
  /** Whose messages (to the reader) were read. */
  sender_id: number;
  /** Every message from sender to reader up to this id is read (as far as this call knows). */
  up_to_id: number;
  read_at: string;
  /** Messages this call marked read. */
  updated: number;
}

/** As over HTTP: a stable code, a human text in the connection's language, field details. */
export interface ErrorFrameData {
  code: ErrorCode;
  error: string;
  details?: FieldProblem[];
}
