import { getConfig } from '../../lib/config';
import { htmlAttribute, httpPage } from '../../lib/http/page';
import { shippedFile } from '../../lib/http/static';

/** Where web/demo.html expects the WebSocket URL (the page reads it from this tag). */
const PLACEHOLDER = '<meta name="websocket-url" content="" />';

/**
 * GET /demo: the try-it chat page, one self-contained HTML file shipped beside this
 * function's bundle (serverless.yml `package.patterns`), with the WebSocket URL clients
 * connect to (WEBSOCKET_URL) filled in. Its Content-Security-Policy allows the page's own
 * inline script and style (by hash, see lib/http/page.ts), fetches to this origin, and
 * that WebSocket API; nothing else.
 */
export const handler = httpPage(() => {
  const websocketUrl = getConfig().realtime.clientUrl;
  const template = shippedFile('web/demo.html').toString('utf8');
  if (!template.includes(PLACEHOLDER)) throw new Error('web/demo.html has no websocket-url tag');
  const html = template.replace(
    PLACEHOLDER,
    () => `<meta name="websocket-url" content="${htmlAttribute(websocketUrl ?? '')}" />`,
  );
  return {
    html,
    contentSecurityPolicy: {
      'connect-src': websocketUrl ? `'self' ${new URL(websocketUrl).origin}` : "'self'",
      'img-src': 'data:', // the inline icon
    },
  };
});
