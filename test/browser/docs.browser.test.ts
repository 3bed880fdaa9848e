import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startOffline, type OfflineApi } from '../e2e/offline';

/**
 * The interactive reference (GET /api/docs) in a real browser: headless Chromium against
 * serverless-offline. Swagger UI renders every operation of openapi.json from files this
 * server ships (nothing is fetched from elsewhere), runs under the page's
 * Content-Security-Policy without a violation, and "Try it out" calls this server: a
 * register fills in the bearer token, and the profile call that follows is authorized.
 *
 * The screenshot goes to SCREENSHOT_DIR (default: a temporary folder);
 * `SCREENSHOT_DIR=docs npm run test:browser -- test/browser/docs.browser.test.ts` refreshes
 * docs/api-docs.png.
 */

jest.setTimeout(180_000);

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshotDir = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'chat-browser-screenshots');
const projectRoot = join(__dirname, '../..');

let offline: OfflineApi;
let browser: Browser;
let page: Page;
/** Page errors, CSP violations, failed requests and requests to anywhere but this server. */
const problems: string[] = [];

beforeAll(async () => {
  [offline, browser] = await Promise.all([
    startOffline(),
    puppeteer.launch({
      executablePath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--headless',
      ],
    }),
  ]);
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const origin = new URL(offline.baseUrl).origin;
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('data:') && new URL(url).origin !== origin) {
      problems.push(`request to another origin: ${url}`);
    }
  });
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
  );
});

afterAll(async () => {
  await browser?.close();
  await offline?.stop();
});

afterEach(() => {
  expect(problems).toEqual([]);
});

/** `METHOD path` of every operation of the committed OpenAPI document. */
function documentedOperations(): string[] {
  const document = JSON.parse(readFileSync(join(projectRoot, 'openapi.json'), 'utf8'));
  return Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** The operation block of METHOD path on the page. */
function operation(method: string, path: string): string {
  return `.opblock-${method.toLowerCase()}:has(.opblock-summary-path[data-path="${path}"])`;
}

/** Expands an operation, presses Execute, and returns the live response's status code. */
async function execute(method: string, path: string): Promise<number> {
  const block = operation(method, path);
  if (!(await page.$(`${block}.is-open`))) await page.click(`${block} .opblock-summary`);
  await page.waitForSelector(`${block} .execute`, { visible: true });
  await page.click(`${block} .execute`);
  const cell = `${block} .live-responses-table tbody .response-col_status`;
  await page.waitForSelector(cell, { timeout: 20_000 });
  return Number(await page.$eval(cell, (element) => element.textContent?.trim()));
}

it('renders every operation of the OpenAPI document from files this server ships', async () => {
  const response = await page.goto(`${offline.baseUrl}/api/docs`, { waitUntil: 'networkidle0' });
  expect(response?.status()).toBe(200);
  await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
  const rendered = await page.$$eval('.opblock', (blocks) =>
    blocks.map((block) => {
      const method = block.querySelector('.opblock-summary-method')?.textContent ?? '';
      const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
      return `${method.trim().toUpperCase()} ${path}`;
    }),
  );
  expect(rendered.sort()).toEqual(documentedOperations());
  expect(await page.$eval('.info .title', (title) => title.textContent)).toContain(
    'chat-backend API',
  );
  // The WebSocket API's document is one click away.
  expect(
    await page.$$eval('a[href="asyncapi.json"]', (links) => links.map((link) => link.textContent)),
  ).not.toEqual([]);
  // A bearer token field: the Authorize dialog.
  await page.click('.auth-wrapper .authorize');
  await page.waitForSelector('.modal-ux input[type="text"], .modal-ux input[type="password"]');
  expect(await page.$eval('.modal-ux', (modal) => modal.textContent)).toContain('bearerAuth');
  await page.click('.modal-ux .close-modal');
});

it('"Try it out" calls this server, and a register authorizes the calls after it', async () => {
  expect(await execute('POST', '/api/auth/register')).toBe(201);
  expect(await execute('GET', '/api/auth/profile')).toBe(200);
  const body = await page.$eval(
    `${operation('GET', '/api/auth/profile')} .live-responses-table tbody .response-col_description`,
    (cell) => cell.textContent ?? '',
  );
  expect(body).toContain('zhang@example.com');

  // The screenshot: Authorize, then the accounts' operations with this call's answer.
  await page.click(`${operation('POST', '/api/auth/register')} .opblock-summary`);
  await page.evaluate(
    `window.scrollTo(0, document.querySelector('.scheme-container').getBoundingClientRect().top + window.scrollY)`,
  );
  await page.evaluate('document.activeElement?.blur()');
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, 'api-docs.png') });
});
