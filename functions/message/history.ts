import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { HistoryPage } from '../../lib/api/schemas';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { idField, queryIntField } from '../../lib/http/validation';
import { conversationHistory } from '../../lib/messages';

export const requestSchema = {
  query: z.object({
    friend_id: idField,
    page: queryIntField({ min: 1, max: 1_000_000_000, fallback: 1 }),
    per_page: queryIntField({ min: 1, max: 100, fallback: 20 }),
    /** Cursor: takes the place of `page`. */
    before_id: idField
      .meta({
        description:
          'Cursor: the newest `per_page` messages below this id (then `page` is ignored).',
      })
      .optional(),
  }),
};

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/message/history',
  tag: 'Messages',
  summary: 'One page of a conversation',
  description:
    'The conversation between the caller and `friend_id` (who need not still be a friend). Page 1 holds the newest `per_page` messages, page 2 the ones before them; inside a page, ascending by id. For infinite scroll pass the oldest id you have as `before_id`: a cursor page costs the same at any depth. Reading history marks nothing read.',
  success: {
    status: 200,
    description: 'The page.',
    message: 'MESSAGE_HISTORY',
    data: HistoryPage,
    example: {
      messages: [examples.message, examples.reply],
      page: 1,
      per_page: 20,
      total: 2,
      has_more: false,
    },
  },
  errors: ['USER_NOT_FOUND'],
  requestExample: { query: { friend_id: 2, page: 1, per_page: 20 } },
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
