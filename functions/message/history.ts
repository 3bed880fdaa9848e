import * as z from 'zod';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField, queryIntField } from '../../lib/http/validation';
import { conversationHistory } from '../../lib/messages';

export const requestSchema = {
  query: z.object({
    friend_id: idField,
    page: queryIntField({ min: 1, max: 1_000_000_000, fallback: 1 }),
    per_page: queryIntField({ min: 1, max: 100, fallback: 20 }),
    /** Cursor: takes the place of `page`. */
    before_id: idField.optional(),
  }),
};

/** GET /api/message/history: one page of a conversation, oldest first within the page. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ query, user }) => {
    const history = await conversationHistory(user.id, query.friend_id, {
      page: query.page,
      perPage: query.per_page,
      beforeId: query.before_id,
    });
    return ok('MESSAGE_HISTORY', history);
  },
});
