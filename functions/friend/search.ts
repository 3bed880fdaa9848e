import * as z from 'zod';
import { searchUsers } from '../../lib/friends';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { queryIntField, textField } from '../../lib/http/validation';

export const requestSchema = {
  query: z.object({
    keyword: textField({ min: 1, max: 64, trim: true }),
    limit: queryIntField({ min: 1, max: 50, fallback: 20 }),
  }),
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
