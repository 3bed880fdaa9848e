import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger for the service. The Middy stack injects the Lambda
 * context, so every line carries the request id. Level: POWERTOOLS_LOG_LEVEL (or
 * LOG_LEVEL), default INFO. Never log passwords or tokens.
 */
export const logger = new Logger({ serviceName: 'chat-backend' });
