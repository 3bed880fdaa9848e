import { handler as add } from '../../functions/friend/add';
import { handler as register } from '../../functions/auth/register';
import { handler as search } from '../../functions/friend/search';
import { getDb } from '../../lib/db/connection';
import { isMediaReference } from '../../lib/media';
import { registerFriends, sendMessage } from '../helpers/chat';
import { invoke } from '../helpers/invoke';
import type { TestUser } from '../helpers/users';

/**
 * What a message's content may be: text that shows something (not only invisible
 * characters), and for an image or a file a reference a client can safely fetch and
 * render: an https:// URL on a named host, or a storage key.
 */
let alice: TestUser;
let bob: TestUser;
beforeAll(async () => {
  [alice, bob] = await registerFriends();
});

async function storedCount(): Promise<number> {
  const db = await getDb();
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('sender_id', '=', alice.id)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('content that shows nothing', () => {
  it.each([
    ['a zero width space', '\u200B'],
    ['a word joiner and a BOM', '\u2060\uFEFF'],
    ['bidi marks and spaces', '\u200E \u200F\u202A'],
    ['a soft hyphen and a Hangul filler', '\u00AD\u3164'],
    ['whitespace', ' \n\t\u3000'],
  ])('refuses %s as blank, and stores nothing', async (_, content) => {
    const before = await storedCount();
    const response = await sendMessage(alice, bob, content);
    expect({ status: response.status, body: response.body }).toEqual({
      status: 400,
      body: {
        error: '请求参数无效',
        code: 'VALIDATION_ERROR',
        details: [{ field: 'content', message: '不能为空' }],
      },
    });
    expect(await storedCount()).toBe(before);
  });

  it('keeps text around invisible characters as sent', async () => {
    const response = await sendMessage(alice, bob, '\u200Bhi\u200B');
    expect(response.status).toBe(201);
    expect(response.body.data.message.content).toBe('\u200Bhi\u200B');
  });

  it('refuses a username with invisible characters (the username rules allow none)', async () => {
    const response = await invoke(register, {
      body: {
        username: 'ab\u200B',
        email: `zw${Date.now()}@example.com`,
        password: 'a fine password',
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.details.map((detail: { field: string }) => detail.field)).toEqual([
      'username',
    ]);
  });

  it('refuses an invisible search keyword and friend name too', async () => {
    const found = await invoke(search, { token: alice.token, query: { keyword: '\u200B\u2060' } });
    const added = await invoke(add, { token: alice.token, body: { friend_username: '\uFEFF' } });
    expect([found.status, found.body.details]).toEqual([
      400,
      [{ field: 'keyword', message: '不能为空' }],
    ]);
    expect([added.status, added.body.details]).toEqual([
      400,
      [{ field: 'friend_username', message: '不能为空' }],
    ]);
  });
});

describe('image and file content', () => {
  it.each([
    'https://cdn.example.com/a/cat.png',
    'https://cdn.example.com:8443/a/cat.png?size=large#top',
    `https://cdn.example.com/${'a'.repeat(2048 - 'https://cdn.example.com/'.length)}`,
    'uploads/2026/cat.png',
    'a',
    'x'.repeat(512),
    'folder/.hidden/file..name-v1_2.png',
  ])('accepts %s', async (content) => {
    for (const messageType of ['image', 'file']) {
      const response = await sendMessage(alice, bob, content, { message_type: messageType });
      expect({ status: response.status, content: response.body.data?.message?.content }).toEqual({
        status: 201,
        content,
      });
    }
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['file:', 'file:///etc/passwd'],
    ['http:', 'http://cdn.example.com/cat.png'],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['an https IP literal', 'https://169.254.169.254/latest/meta-data/'],
    ['an IPv4 in another notation', 'https://0xa9.0xfe.0xa9.0xfe/'],
    ['a decimal IPv4', 'https://2852039166/'],
    ['an IPv6 literal', 'https://[::1]/a.png'],
    ['localhost', 'https://localhost/a.png'],
    ['credentials', 'https://user:secret@cdn.example.com/a.png'],
    ['a user name', 'https://user@cdn.example.com/a.png'],
    ['a scheme without slashes', 'https:cdn.example.com/a.png'],
    ['backslashes', 'https:\\\\cdn.example.com\\a.png'],
    ['a leading space', ' https://cdn.example.com/a.png'],
    ['a tab inside', 'https://cdn.exa\tmple.com/a.png'],
    ['upper-case scheme tricks', 'HTTPS://cdn.example.com/a.png'],
    ['data:', 'data:image/png;base64,iVBORw0KGgo='],
    ['a URL over 2048 characters', `https://cdn.example.com/${'a'.repeat(2030)}`],
    ['a key over 512 characters', 'x'.repeat(513)],
    ['a key with a space', 'uploads/my cat.png'],
    ['a key walking up', 'uploads/../secrets.txt'],
    ['a key of dots', '..'],
    ['a key with a dot segment', './a.png'],
    ['a key with other characters', 'uploads/猫.png'],
  ])('refuses %s as VALIDATION_ERROR, and stores nothing', async (_, content) => {
    const before = await storedCount();
    const response = await sendMessage(alice, bob, content, { message_type: 'image' });
    expect({ status: response.status, body: response.body }).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_ERROR', details: [{ field: 'content' }] },
    });
    expect(response.body.details).toHaveLength(1);
    expect(response.body.details[0].message).toMatch(/^图片和文件消息的内容须为 https:\/\//);
    expect(await storedCount()).toBe(before);
  });

  it('leaves text messages free: a URL of any kind is just text', async () => {
    const response = await sendMessage(alice, bob, 'javascript:alert(1)');
    expect(response.status).toBe(201);
    expect(response.body.data.message.message_type).toBe('text');
  });

  it('agrees with the rule in lib/media.ts', () => {
    expect(isMediaReference('https://cdn.example.com/a.png')).toBe(true);
    expect(isMediaReference('https://127.0.0.1/a.png')).toBe(false);
  });
});
