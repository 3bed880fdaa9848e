import { runHousekeeping } from '../../lib/housekeeping';
import { scheduledJob } from '../../lib/scheduled';

/**
 * Scheduled every 15 minutes (serverless.yml), and safe to run by hand or twice at once:
 * removes connections past the gateway's two-hour limit, ended rate-limit windows, and
 * expired or revoked logins with their refresh tokens, in bounded batches.
 */
export const handler = scheduledJob('housekeeping', () => runHousekeeping());
