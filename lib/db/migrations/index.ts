import type { Migration } from 'kysely';
import { initialSchema } from './001-initial';
import { sessionsSchema } from './002-sessions';
import { rateLimitsSchema } from './003-rate-limits';
import { connectionsSchema } from './004-connections';
import { chatManagementSchema } from './005-chat-management';
import { usernameSearchSchema } from './006-username-search';
import { readWatermarkSchema } from './007-read-watermark';
import { friendListSchema } from './008-friend-list';
import { authHardeningSchema } from './009-auth-hardening';

export interface MigrationContext {
  dialect: 'sqlite' | 'mysql';
}

/**
 * Every migration, in order. Listed in code (not read from disk) so that each bundled
 * Lambda carries them. Names sort in the order they run; never rename or edit a shipped one.
 */
export function allMigrations(context: MigrationContext): Record<string, Migration> {
  return {
    '001-initial': initialSchema(context),
    '002-sessions': sessionsSchema(context),
    '003-rate-limits': rateLimitsSchema(context),
    '004-connections': connectionsSchema(context),
    '005-chat-management': chatManagementSchema(context),
    '006-username-search': usernameSearchSchema(context),
    '007-read-watermark': readWatermarkSchema(context),
    '008-friend-list': friendListSchema(context),
    '009-auth-hardening': authHardeningSchema(context),
  };
}
