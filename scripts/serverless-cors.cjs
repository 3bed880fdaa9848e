'use strict';

/**
 * serverless.yml's `provider.httpApi.cors.allowedOrigins`, from CORS_ORIGINS (comma-separated,
 * default `*`) as the functions read it (lib/config.ts validates it there). Deployed, API
 * Gateway answers preflights and sets the CORS headers itself from these settings.
 */
module.exports.allowedOrigins = () => {
  const origins = (process.env.CORS_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  return origins.length === 0 ? ['*'] : origins;
};
