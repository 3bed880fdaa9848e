import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { examples } from '../../lib/api/examples';
import { FriendEntry } from '../../lib/api/schemas';
import { listFriends, parseFriendCursor } from '../../lib/friends';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { queryIntField } from '../../lib/http/validation';

export const requestSchema = {
  query: z.object({
    limit: queryIntField({ min: 1, max: 1000, fallback: 1000 }),
    cursor: z
      .string()
      .transform((text, context) => {
        const cursor = parseFriendCursor(text);
        if (!cursor) context.addIssue({ code: 'custom', message: 'CURSOR' });
        return cursor;
      })
      .optional()
      .meta({ description: "The previous page's `next_cursor`; absent for the first page." }),
  }),
};

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/friend/list',
  tag: 'Friends',
  summary: "The caller's friends, a page at a time",
  description:
    'Ordered by username without regard to case, then by id. No emails. Pages follow `next_cursor` (null on the last page); `count` is the total number of friends. A page costs the same however many friends there are.',
  success: {
    status: 200,
    description: 'One page of friends.',
    message: 'FRIEND_LIST',
    data: z.object({
      friends: z.array(FriendEntry),
      count: z.int().min(0).meta({ description: 'All of the caller’s friends, not this page.' }),
      next_cursor: z
        .string()
        .nullable()
        .meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
    }),
    example: { friends: [{ ...examples.friend, blocked: false }], count: 1, next_cursor: null },
  },
  requestExample: { query: { limit: 100 } },
};

/** GET /api/friend/list: a page of the caller's friends, by username. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ query, user }) =>
    ok('FRIEND_LIST', await listFriends(user, { limit: query.limit, after: query.cursor })),
});
