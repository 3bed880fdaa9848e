import * as z from 'zod';
import { created, httpEndpoint } from '../../lib/http/handler';
import { emailField, newPasswordField, usernameField } from '../../lib/http/validation';
import { registerUser, selfView } from '../../lib/users';

export const requestSchema = {
  body: z.object({ username: usernameField, email: emailField, password: newPasswordField }),
};

/** POST /api/auth/register: create an account and sign it in. */
export const handler = httpEndpoint({
  auth: false,
  schema: requestSchema,
  handle: async ({ body, clientIp }) => {
    const { user, tokens } = await registerUser(body, clientIp);
    return created('REGISTERED', { user: selfView(user), ...tokens });
  },
});
