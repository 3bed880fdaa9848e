import * as z from 'zod';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { UserSearchResult } from '../../lib/api/schemas';
import { searchUsers } from '../../lib/user-search';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { queryIntField, textField } from '../../lib/http/validation';

export const requestSchema = {
  query: z.object({
    keyword: textField({ min: 1, max: 64, trim: true }),
    limit: queryIntField({ min: 1, max: 50, fallback: 20 }),
  }),
};

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/friend/search',
  tag: 'Friends',
  summary: 'Find users',
  description:
    'Matches usernames that contain `keyword`, without regard to case or look-alike characters (compared by UTS #39 skeleton: `аlice` in Cyrillic finds `alice`); `%`, `_` and `\\` are ordinary characters. A one-character keyword matches usernames that start with it. A keyword with `@` is an exact email lookup (any case) instead, never echoed, and counts toward the per-user email search limit (`429 RATE_LIMITED` beyond it). The caller is never in the results. Order: the exact username match, then usernames starting with the keyword, then the rest; by username inside each group. Read from an n-gram index: the cost follows the page, not the number of users.',
  success: {
    status: 200,
    description: 'The users found.',
    message: 'USER_SEARCH',
    data: z.object({ users: z.array(UserSearchResult) }),
    example: {
      users: [
        { id: 2, username: 'Bob', is_friend: true },
        { id: 5, username: 'bobby', is_friend: false },
      ],
    },
  },
  requestExample: { query: { keyword: 'bo', limit: 10 } },
};

/** GET /api/friend/search?keyword=K&limit=N: find users by username, or by exact email. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ query, user }) => {
    const users = await searchUsers(user.id, query.keyword, query.limit);
    return ok('USER_SEARCH', { users });
  },
});
