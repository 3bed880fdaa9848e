import type * as ClientSsm from '@aws-sdk/client-ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type MiddySsm from '@middy/ssm';
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { getInternal } from '@middy/util';
import { getConfig } from '../config';
import { AppError } from '../errors';
import { checkLoadedSecrets, setLoadedSecrets, type LoadedSecrets } from './index';

export interface RuntimeSecretsOptions {
  /** The SSM client class (tests pass a fake). */
  AwsClient?: typeof SSMClient;
}

/**
 * Loads the secrets named by DB_PASSWORD_PARAMETER, JWT_SECRET_KEY_PARAMETER and
 * JWT_PREVIOUS_SECRET_KEY_PARAMETER from SSM Parameter Store (decrypted) before the handler
 * runs, through Middy's @middy/ssm: fetched by the container's first request, then again after SECRETS_CACHE_SECONDS, so a rotated value is picked up without a deploy.
 * Nothing is named (local runs): no middleware at all, and the environment's values apply.
 */
export function runtimeSecrets<E, R, Err extends Error, C extends Context>(
  options: RuntimeSecretsOptions = {},
): middy.MiddlewareObj<E, R, Err, C>[] {
  const config = getConfig();
  const fetchData: Record<string, string> = {};
  for (const [key, name] of Object.entries(config.secretParameters)) {
    if (name !== undefined) fetchData[key] = name;
  }
  const keys = Object.keys(fetchData);
  if (keys.length === 0) return [];

  // The SDK client costs ~165 ms of module load: it loads with the first request that needs
  // it, so local runs (no parameter named) never pay for it and module init stays small.
  // require, not import(): a test's module registry (jest.isolateModules) still applies.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const ssm = (require('@middy/ssm') as { default: typeof MiddySsm }).default;
  const AwsClient =
    options.AwsClient ?? (require('@aws-sdk/client-ssm') as typeof ClientSsm).SSMClient;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const fetcher = ssm({
    fetchData,
    AwsClient,
    cacheKey: 'chat-backend-secrets',
    cacheExpiry: config.secretsCacheSeconds * 1000,
    // Fetched by the first request, not at module load: a failed fetch at load would be an
    // unhandled rejection (the runtime resets the container) instead of a 503.
    disablePrefetch: true,
  });
  const before: middy.MiddlewareFn<E, R, Err, C> = async (request) => {
    let values: Record<string, unknown>;
    try {
      await fetcher.before?.(request);
      values = await getInternal(keys, request);
    } catch (error) {
      // Parameter Store unreachable or throttled: the request fails, the container stays.
      throw new AppError('SERVICE_UNAVAILABLE', undefined, { cause: error });
    }
    const secrets: LoadedSecrets = {};
    for (const key of keys) {
      const value = values[key];
      // @middy/ssm parses JSON-looking values; a secret is always text.
      if (value !== undefined) secrets[key as keyof LoadedSecrets] = String(value);
    }
    setLoadedSecrets(checkLoadedSecrets(secrets));
  };
  return [{ before }];
}
