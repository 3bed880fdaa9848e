import * as z from 'zod';
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
    }),
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
