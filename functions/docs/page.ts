import { version as swaggerUiVersion } from 'swagger-ui-dist/package.json';
import type { ApiEndpoint } from '../../lib/api/endpoint';
import { documentEndpoint } from '../../lib/http/document';
import { inlineHashes } from '../../lib/http/page';

export const api: ApiEndpoint = {
  method: 'GET',
  path: '/api/docs',
  tag: 'Reference',
  summary: 'This interactive reference',
  description:
    'Every endpoint with its schemas and examples; "Try it out" calls this server. **Authorize** takes an access token; a successful register, login, refresh or change_password here fills it in.',
  document: { description: 'The page.', contentTypes: ['text/html'] },
};

/** Answers that carry a new access token: the page authorizes itself with it. */
const tokenPaths = [
  '/api/auth/register',
  '/api/auth/login',
  '/api/auth/refresh',
  '/api/auth/change_password',
];

// Swagger UI, from its files served beside this page (GET /api/docs/{file}); the
// reference comes from openapi.json on this same server, so "Try it out" calls it too.
const script = `
const tokenPaths = ${JSON.stringify(tokenPaths)};
const ui = SwaggerUIBundle({
  url: new URL('openapi.json', location.href).href,
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  displayRequestDuration: true,
  filter: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  validatorUrl: null,
  responseInterceptor: (response) => {
    const path = new URL(response.url, location.href).pathname;
    const token = response.ok && tokenPaths.includes(path) ? response.body?.data?.access_token : undefined;
    if (typeof token === 'string') ui.preauthorizeApiKey('bearerAuth', token);
    return response;
  },
});
`;

const style = `
body { margin: 0; background: #fafafa; }
.api-links { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: baseline;
  padding: 0.75rem 1.25rem; background: #1f2933; color: #e4e7eb;
  font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif; }
.api-links strong { font-size: 16px; color: #fff; margin-right: auto; }
.api-links a { color: #9fd3ff; }
.swagger-ui .info { margin: 30px 0 20px; }
`;

const asset = (file: string) => `docs/${file}?v=${swaggerUiVersion}`;

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chat-backend API reference</title>
<link rel="icon" type="image/png" href="${asset('favicon-32x32.png')}">
<link rel="stylesheet" href="${asset('swagger-ui.css')}">
<style>${style}</style>
</head>
<body>
<nav class="api-links">
<strong>chat-backend API reference</strong>
<a href="openapi.json">OpenAPI 3.1 (HTTP)</a>
<a href="asyncapi.json">AsyncAPI 3 (WebSocket events)</a>
</nav>
<div id="swagger-ui"></div>
<script src="${asset('swagger-ui-bundle.js')}"></script>
<script>${script}</script>
</body>
</html>
`;

/**
 * Scripts and styles: Swagger UI's files from this server and the page's own inline ones,
 * by hash (no 'unsafe-inline', no eval); images from here and data: URLs (Swagger UI's
 * icons). It fetches only from this server. No framing, no <base>, no form posts.
 * @middy/http-security-headers' API default would forbid any script (and sandbox the page).
 */
const contentSecurityPolicy = [
  "default-src 'none'",
  `script-src 'self' ${inlineHashes(html, 'script').join(' ')}`,
  `style-src 'self' ${inlineHashes(html, 'style').join(' ')}`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** GET /api/docs: the interactive reference (Swagger UI), served with its files by this server. */
export const handler = documentEndpoint(() => ({
  body: html,
  contentType: 'text/html; charset=utf-8',
  cacheControl: 'no-cache',
  contentSecurityPolicy,
}));
