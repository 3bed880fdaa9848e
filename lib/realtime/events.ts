import * as z from 'zod';
import { ErrorBody, Friend, Message } from '../api/schemas';

/**
 * What the server sends over a WebSocket: `{type, data}` JSON text frames. The contract's
 * table of events, as zod schemas (the AsyncAPI document is generated from them) and the
 * types inferred from them; delivery rules live in ./publish.ts.
 */

export const typingStates = ['start', 'stop'] as const;
export type TypingState = (typeof typingStates)[number];

const userId = z.int().min(1);

export const MessageReadData = z.object({
  reader_id: userId.meta({ description: 'Who read.' }),
  sender_id: userId.meta({ description: 'Whose messages (to the reader) were read.' }),
  up_to_id: userId.meta({
    description:
      'Every message from sender to reader up to this id is read (as far as this call knows).',
  }),
  read_at: z.iso.datetime({ precision: 3 }),
  updated: z.int().min(1).meta({ description: 'Messages this call marked read.' }),
});
export type MessageReadData = z.output<typeof MessageReadData>;

/** As over HTTP: a stable code, a human text in the connection's language, field details. */
export const ErrorFrameData = ErrorBody;
export type ErrorFrameData = z.output<typeof ErrorFrameData>;

function event<T extends string, D extends z.ZodType>(type: T, data: D, description: string) {
  return z.object({ type: z.literal(type), data }).meta({ description });
}

/** Every server event, with who receives it. */
export const serverEvents = [
  event(
    'message.new',
    z.object({ message: Message }),
    'A message was sent: to every connection of its receiver, and of its sender (their other devices).',
  ),
  event(
    'message.read',
    MessageReadData,
    'Messages were marked read: to every connection of the user whose messages were read, and of the reader.',
  ),
  event(
    'message.recalled',
    z.object({ message: Message }),
    'A message was recalled (`content` null, `recalled_at` set): to every connection of both users.',
  ),
  event(
    'typing',
    z.object({
      from: userId.meta({ description: 'The friend who is typing.' }),
      state: z.enum(typingStates),
    }),
    'A friend started or stopped typing to this user: to every connection of that user.',
  ),
  event(
    'friend.added',
    z.object({ friend: Friend.meta({ description: 'The user who added this one.' }) }),
    'Someone added this user as a friend: to every connection of the added user.',
  ),
  event(
    'friend.removed',
    z.object({ friend_id: userId.meta({ description: "The remover's id." }) }),
    'Someone ended a friendship with this user: to every connection of the removed user.',
  ),
  event('pong', z.object({}), 'The answer to a `ping` frame, on the connection that sent it.'),
  event(
    'error',
    ErrorFrameData,
    'A frame was refused: on the connection that sent it, with the codes and texts of the HTTP API. The connection stays open.',
  ),
] as const;

export const ServerEvent = z.discriminatedUnion('type', serverEvents);
export type ServerEvent = z.output<typeof ServerEvent>;
export type ServerEventType = ServerEvent['type'];
