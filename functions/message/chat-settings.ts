import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { ChatSettings } from '../../lib/api/schemas';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { fieldMessage } from '../../lib/http/messages';
import { idField } from '../../lib/http/validation';
import { updateChatSettings } from '../../lib/messages';

const settingNames = ['pinned', 'muted', 'hidden'] as const;
const setting = z.boolean({
  error: (issue) => (issue.input === undefined ? undefined : 'BOOLEAN'),
});

export const requestSchema = {
  body: z
    .object({
      friend_id: idField,
      pinned: setting.optional(),
      muted: setting.optional(),
      hidden: setting.optional(),
    })
    .refine((body) => settingNames.some((name) => body[name] !== undefined), {
      error: fieldMessage('AT_LEAST_ONE', settingNames.join(', ')),
    })
    .meta({ anyOf: settingNames.map((name) => ({ required: [name] })) }),
};

export const api: ApiEndpoint = {
  method: 'POST',
  path: '/api/message/chat_settings',
  tag: 'Messages',
  summary: 'Pin, mute or hide a chat',
  description:
    "The caller's own settings of their chat with `friend_id`: at least one of `pinned`, `muted`, `hidden`; the others keep their values. Only a conversation that exists can be set.",
  success: {
    status: 200,
    description: "The chat's settings now.",
    message: 'CHAT_SETTINGS_SAVED',
    data: z.object({ friend_id: z.int().min(1) }).extend(ChatSettings.shape),
    example: { friend_id: 2, pinned: true, muted: false, hidden: false },
  },
  errors: ['CHAT_NOT_FOUND'],
  requestExample: { body: { friend_id: 2, pinned: true } },
};

/** POST /api/message/chat_settings: pin, mute or hide the caller's chat with a user. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    const { friend_id: friendId, ...changes } = body;
    const settings = await updateChatSettings(user.id, friendId, changes);
    return ok('CHAT_SETTINGS_SAVED', { friend_id: friendId, ...settings });
  },
});
