import * as z from 'zod';
import { httpEndpoint, ok } from '../../lib/http/handler';
import { givenPasswordField, newPasswordField } from '../../lib/http/validation';
import { changePassword } from '../../lib/users';

export const requestSchema = {
  body: z.object({ old_password: givenPasswordField, new_password: newPasswordField }),
};

/** POST /api/auth/change_password: new password, fresh token, every older token revoked. */
export const handler = httpEndpoint({
  auth: true,
  schema: requestSchema,
  handle: async ({ body, user }) => {
    const tokens = await changePassword(user, body.old_password, body.new_password);
    return ok('PASSWORD_CHANGED', tokens);
  },
});
