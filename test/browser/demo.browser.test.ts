import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startOffline, type OfflineApi } from '../e2e/offline';

/**
 * The try-it page (GET /demo) in a real browser: headless Chromium against serverless-offline
 * (SQLite, or MySQL with DB_TYPE=mysql). Two pages in two incognito contexts, one in Chinese
 * and one in English, register two new users who befriend and chat; whatever one does
 * shows on the other's page within LIVE_MS, over the WebSocket.
 *
 * Screenshots of both pages go to SCREENSHOT_DIR (default: a temporary folder);
 * `SCREENSHOT_DIR=docs npm run test:browser -- test/browser/demo.browser.test.ts` refreshes
 * the ones in docs/.
 */

jest.setTimeout(240_000);

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshotDir = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'chat-browser-screenshots');
/** How long a change may take to show on the other page. */
const LIVE_MS = 2000;
const SESSION_KEY = 'chat-demo.session';

interface Tab {
  page: Page;
  username: string;
  id: number;
  /** Page errors and Content-Security-Policy violations reported by the browser. */
  problems: string[];
}

let offline: OfflineApi;
let browser: Browser;
let alice: Tab;
let bob: Tab;

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
});

afterAll(async () => {
  await browser?.close();
  await offline?.stop();
});

afterEach(() => {
  // Every page must run without script errors and without anything its CSP refused.
  for (const tab of [alice, bob]) expect(tab?.problems ?? []).toEqual([]);
});

/** A fresh incognito page whose browser prefers `language`. */
async function openDemo(language: string): Promise<Pick<Tab, 'page' | 'problems'>> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  page.on('console', (message) => {
    if (/Content.Security.Policy|Trusted Type/i.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  await page.evaluateOnNewDocument(`
    Object.defineProperty(navigator, 'language', { get: () => ${JSON.stringify(language)} });
    Object.defineProperty(navigator, 'languages', { get: () => [${JSON.stringify(language)}] });
    // The test's handles on the page's traffic: its sockets, to cut one as a network
    // failure would, and the answers to its sends, to hold them back.
    window.testSockets = [];
    window.WebSocket = class extends WebSocket {
      constructor(...args) {
        super(...args);
        window.testSockets.push(this);
      }
    };
    window.testSendsAnswered = 0;
    let release;
    const released = new Promise((resolve) => (release = resolve));
    window.testReleaseSends = release;
    const nativeFetch = window.fetch;
    window.fetch = async (...args) => {
      const held = window.testHoldSends && String(args[0]).endsWith('/api/message/send');
      const response = await nativeFetch(...args);
      if (held) {
        await released;
        window.testSendsAnswered += 1;
      }
      return response;
    };
  `);
  await page.setViewport({ width: 1040, height: 680 });
  const response = await page.goto(`${offline.baseUrl}/demo`);
  expect(response?.status()).toBe(200);
  return { page, problems };
}

/** Registers a new user through the page's form and waits for the live connection. */
async function register(
  tab: Pick<Tab, 'page' | 'problems'>,
  prefix: string,
  password = 'a fine password',
): Promise<Tab> {
  const { page } = tab;
  const username = `${prefix}_${randomBytes(3).toString('hex')}`;
  await page.click('#auth-form [data-mode="register"]');
  await page.type('#auth-form [name="username"]', username);
  await page.type('#auth-form [name="email"]', `${username}@example.com`);
  await page.type('#auth-form [name="password"]', password);
  await page.click('#auth-submit');
  await page.waitForSelector('#connection[data-state="online"]', { timeout: 15_000 });
  const id = Number(
    await page.evaluate(
      `JSON.parse(sessionStorage.getItem(${JSON.stringify(SESSION_KEY)})).user.id`,
    ),
  );
  return { ...tab, username, id };
}

const text = (page: Page, selector: string) =>
  page.$eval(selector, (element) => element.textContent ?? '');

/** Resolves once `selector` matches an element whose text contains `expected`. */
function waitForText(page: Page, selector: string, expected: string, timeout = LIVE_MS) {
  return page.waitForFunction(
    `[...document.querySelectorAll(${JSON.stringify(selector)})]
      .some((element) => element.textContent.includes(${JSON.stringify(expected)}))`,
    { timeout },
  );
}

const chatEntry = (peer: Tab) => `#chat-list li[data-peer-id="${peer.id}"]`;

/** Opens the chat with `peer` (found and clicked in one step: the list is redrawn often). */
async function openChat(tab: Tab, peer: Tab): Promise<void> {
  await tab.page.waitForSelector(chatEntry(peer), { timeout: 5000 });
  await tab.page.$eval(`${chatEntry(peer)} button`, (button) =>
    (button as { click(): void }).click(),
  );
}

/** The page's session as stored in its tab (sessionStorage). */
async function storedSession(tab: Tab): Promise<{ access_token: string; refresh_token: string }> {
  return JSON.parse(String(await tab.page.evaluate(`sessionStorage.getItem("${SESSION_KEY}")`)));
}

/** A call straight to the API, as another client would make it; answers `data`. */
async function callApi(token: string | undefined, method: string, path: string, body?: unknown) {
  const response = await fetch(`${offline.baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each caller reads its fields
  const payload = (await response.json()) as { data: any };
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(payload)}`);
  return payload.data;
}

/** A user registered without a page. */
async function registerOverApi(prefix: string) {
  const username = `${prefix}_${randomBytes(3).toString('hex')}`;
  const data = await callApi(undefined, 'POST', '/api/auth/register', {
    username,
    email: `${username}@example.com`,
    password: 'a fine password',
  });
  return { id: Number(data.user.id), username, token: String(data.access_token) };
}

/** Sends as `from`, with its page's token but not through its page (another device). */
async function sendOverApi(from: Tab, to: Tab, content: string): Promise<void> {
  const { access_token } = await storedSession(from);
  await callApi(access_token, 'POST', '/api/message/send', { receiver_id: to.id, content });
}

async function screenshot(tab: Tab, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await tab.page.screenshot({ path: join(screenshotDir, name) });
}

describe('the try-it page (/demo) in two browser tabs', () => {
  it('shows the sign-in form in the browser’s language, with no script error or CSP refusal', async () => {
    const zh = await openDemo('zh-CN');
    const en = await openDemo('en-US');
    expect(await text(zh.page, '#auth-submit')).toBe('登录');
    expect(await zh.page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    expect(await text(en.page, '#auth-submit')).toBe('Log in');
    expect(await en.page.evaluate('document.documentElement.lang')).toBe('en');
    alice = await register(zh, 'alice');
    bob = await register(en, 'bob');
    expect(await text(alice.page, '#me')).toContain(alice.username);
    expect(await text(bob.page, '#me')).toContain(bob.username);
  });

  it('adding a friend shows on both lists', async () => {
    await alice.page.type('#add-friend [name="friend_username"]', bob.username);
    await alice.page.click('#add-friend button[type="submit"]');
    // Bob's page learns of it from `friend.added`.
    await bob.page.waitForSelector(chatEntry(alice), { timeout: LIVE_MS });
    // Alice's page opens the new chat.
    await alice.page.waitForSelector(`${chatEntry(bob)} .chat-item.active`, { timeout: LIVE_MS });
    await waitForText(alice.page, '#peer-name', bob.username);
  });

  it('typing shows "typing…" on the other page, and stops when the message arrives', async () => {
    await alice.page.type('#composer textarea', '你好 Bob');
    await waitForText(bob.page, `${chatEntry(alice)} .preview.typing`, 'typing…');
    await alice.page.type('#composer textarea', ', 👋');
    await alice.page.keyboard.press('Enter');
    await waitForText(bob.page, `${chatEntry(alice)} .preview`, '你好 Bob, 👋');
    expect(await bob.page.$(`${chatEntry(alice)} .preview.typing`)).toBeNull();
  });

  it('a message shows on the other page with its unread badge and the total', async () => {
    await waitForText(bob.page, `${chatEntry(alice)} .badge`, '1');
    await waitForText(bob.page, '#total-unread', '1');
    // On Alice's side: sent, not read yet (sent once, though both the HTTP answer and the
    // socket delivered it).
    await alice.page.waitForSelector(
      '#messages li.message.mine[data-id] .receipt[data-state="sent"]',
      {
        timeout: LIVE_MS,
      },
    );
    expect(await alice.page.$$('#messages li.message')).toHaveLength(1);
    expect(await text(alice.page, '#messages li.message.mine .receipt')).toBe('已发送');
  });

  it('opening the chat marks it read: the badge goes and the sender sees the receipt', async () => {
    await openChat(bob, alice);
    await waitForText(bob.page, '#messages li.message.theirs .bubble', '你好 Bob, 👋');
    await alice.page.waitForSelector('#messages li.message.mine .receipt[data-state="read"]', {
      timeout: LIVE_MS,
    });
    expect(await text(alice.page, '#messages li.message.mine .receipt')).toBe('已读');
    await bob.page.waitForFunction(
      `!document.querySelector('${chatEntry(alice)} .badge') && document.getElementById('total-unread').hidden`,
      { timeout: LIVE_MS },
    );
  });

  it('a reply arrives live in the open chat, is read at once, and typing shows in the header', async () => {
    await bob.page.type('#composer textarea', 'Hi Alice!');
    await waitForText(alice.page, '#peer-status.typing', '正在输入');
    // The answer to Bob's send is held back until Alice has read the message: then it is
    // an older copy than the one Bob's page has (not read yet), as happens when the read
    // receipt overtakes it. The page must keep "read".
    await bob.page.evaluate('window.testHoldSends = true');
    await bob.page.keyboard.press('Enter');
    await waitForText(alice.page, '#messages li.message.theirs .bubble', 'Hi Alice!');
    // Alice has the chat open and visible: Bob's message is read on arrival.
    await waitForText(bob.page, '#messages li.message.mine .receipt[data-state="read"]', 'Read');
    await bob.page.evaluate('window.testReleaseSends()');
    await bob.page.waitForFunction('window.testSendsAnswered === 1', { timeout: LIVE_MS });
    await bob.page.evaluate('new Promise((resolve) => requestAnimationFrame(resolve))');
    expect(await text(bob.page, '#messages li.message.mine .receipt')).toBe('Read');
    expect(await alice.page.$(`${chatEntry(bob)} .badge`)).toBeNull();
    // Messages in id order on both pages.
    for (const tab of [alice, bob]) {
      const ids = await tab.page.$$eval('#messages li.message[data-id]', (items) =>
        items.map((item) => Number(item.getAttribute('data-id'))),
      );
      expect(ids).toHaveLength(2);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    }
  });

  it('counts unread messages of a chat that is not open, while another is', async () => {
    // Carol, on another device (straight through the API), befriends Bob and writes twice.
    const carol = await registerOverApi('carol');
    await callApi(carol.token, 'POST', '/api/friend/add', { friend_username: bob.username });
    for (const content of ['Bob, are you there?', 'Lunch at 12?']) {
      await callApi(carol.token, 'POST', '/api/message/send', { receiver_id: bob.id, content });
    }
    const carolEntry = `#chat-list li[data-peer-id="${carol.id}"]`;
    await waitForText(bob.page, `${carolEntry} .badge`, '2');
    await waitForText(bob.page, '#total-unread', '2');
    await waitForText(bob.page, `${carolEntry} .preview`, 'Lunch at 12?');
    // The open chat with Alice is untouched, and comes second now (the newest chat first).
    expect(await text(bob.page, '#peer-name')).toBe(alice.username);
    const order = await bob.page.$$eval('#chat-list li[data-peer-id]', (items) =>
      items.map((item) => Number(item.getAttribute('data-peer-id'))),
    );
    expect(order).toEqual([carol.id, alice.id]);

    // For the screenshots: Alice typing to Bob.
    await alice.page.type('#composer textarea', '周末一起');
    await waitForText(bob.page, '#peer-status.typing', 'typing…');
    await screenshot(alice, 'demo-alice.png');
    await screenshot(bob, 'demo-bob.png');
  });

  it('scrolls back through history, loading older pages by cursor', async () => {
    for (let index = 1; index <= 70; index += 1) await sendOverApi(bob, alice, `history ${index}`);
    // A reload keeps the tab's login (sessionStorage) and starts from the newest page.
    await alice.page.reload();
    await openChat(alice, bob);
    await waitForText(alice.page, '#messages .bubble', 'history 70', 5000);
    const count = () => alice.page.$$eval('#messages li.message', (items) => items.length);
    expect(await count()).toBe(30);
    const olderPages: string[] = [];
    alice.page.on('request', (request) => {
      if (/\/api\/message\/history\?.*before_id=\d+/.test(request.url())) {
        olderPages.push(request.url());
      }
    });
    for (const expected of [60, 72]) {
      await alice.page.$eval('#messages', (list) => list.scrollTo(0, 0));
      await alice.page.waitForFunction(
        `document.querySelectorAll('#messages li.message').length === ${expected}`,
        { timeout: 5000 },
      );
    }
    await waitForText(alice.page, '#messages .history-marker', '没有更早的消息了');
    expect(olderPages).toHaveLength(2); // 30 + 30 + 12
    const bubbles = await alice.page.$$eval('#messages .bubble', (items) =>
      items.map((item) => item.textContent),
    );
    expect(bubbles.slice(0, 3)).toEqual(['你好 Bob, 👋', 'Hi Alice!', 'history 1']);
    expect(bubbles.at(-1)).toBe('history 70');
  });

  it('catches up after a reconnect with GET /api/message/updates', async () => {
    const updates: string[] = [];
    bob.page.on('request', (request) => {
      if (request.url().includes('/api/message/updates')) updates.push(request.url());
    });
    const bubbles = () => bob.page.$$eval('#messages .bubble', (items) => items.length);
    const before = await bubbles();
    // Bob's connection drops, and his page stays offline while Alice writes.
    await bob.page.setOfflineMode(true);
    try {
      await bob.page.evaluate('window.testSockets.at(-1).close()');
      await bob.page.waitForSelector('#connection[data-state="offline"]', { timeout: LIVE_MS });
      await sendOverApi(alice, bob, 'while you were away');
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a reconnect attempt or two
      expect(await bubbles()).toBe(before);
    } finally {
      // Back online: reconnect, then catch up from the last message id seen.
      await bob.page.setOfflineMode(false);
    }
    await waitForText(bob.page, '#messages .bubble', 'while you were away', 10_000);
    await bob.page.waitForSelector('#connection[data-state="online"]', { timeout: 5000 });
    expect(updates.some((url) => /after_id=\d+/.test(url))).toBe(true);
    // Once each, though catch-up and the reloaded newest page both returned it.
    expect(await bubbles()).toBe(before + 1);
  });

  it('refreshes a rejected access token with the stored refresh token', async () => {
    const before = await storedSession(alice);
    await alice.page.evaluate(`(() => {
      const session = JSON.parse(sessionStorage.getItem("${SESSION_KEY}"));
      session.access_token = 'not-a-valid-token';
      sessionStorage.setItem("${SESSION_KEY}", JSON.stringify(session));
    })()`);
    await alice.page.reload();
    await alice.page.waitForSelector(chatEntry(bob), { timeout: 5000 });
    await alice.page.waitForSelector('#connection[data-state="online"]', { timeout: 5000 });
    const after = await storedSession(alice);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.access_token).not.toBe('not-a-valid-token');
  });

  it('shows a refused request by its code and the server’s text', async () => {
    await bob.page.type('#add-friend [name="friend_username"]', bob.username);
    await bob.page.click('#add-friend button[type="submit"]');
    await waitForText(bob.page, '#notice code', 'CANNOT_ADD_SELF');
    expect(await text(bob.page, '#notice .notice-text')).toContain(
      'You cannot add yourself as a friend',
    );
  });

  it('logs out, and logs in again (a wrong password is refused in the form)', async () => {
    await bob.page.click('#logout');
    await bob.page.waitForSelector('#auth-view:not([hidden])', { timeout: LIVE_MS });
    expect(await bob.page.evaluate(`sessionStorage.getItem("${SESSION_KEY}")`)).toBeNull();

    expect(
      await bob.page.$eval('[data-mode="login"]', (tab) => tab.getAttribute('aria-selected')),
    ).toBe('true');
    await bob.page.type('#auth-form [name="username"]', bob.username);
    await bob.page.type('#auth-form [name="password"]', 'not the password');
    await bob.page.click('#auth-submit');
    await waitForText(bob.page, '#auth-notice code', 'INVALID_CREDENTIALS');
    expect(await text(bob.page, '#auth-notice .notice-text')).toContain(
      'Wrong username or password',
    );
    await screenshot(bob, 'demo-sign-in.png');

    await bob.page.$eval('#auth-form [name="password"]', (input) => {
      (input as { value: string }).value = '';
    });
    await bob.page.type('#auth-form [name="password"]', 'a fine password');
    await bob.page.click('#auth-submit');
    await bob.page.waitForSelector('#connection[data-state="online"]', { timeout: 5000 });
    await waitForText(bob.page, chatEntry(alice), 'while you were away');
  });
});
