import { randomInt } from 'node:crypto';
import { handler as login } from '../../functions/auth/login';
import { handler as addFriend } from '../../functions/friend/add';
import { handler as register } from '../../functions/auth/register';
import { getDb } from '../../lib/db/connection';
import { invoke } from '../helpers/invoke';
import { registerUser, storedUserByName, uniqueName } from '../helpers/users';

/**
 * Look-alike names (issue 13): names are NFKC-normalized before the rules, unique by their
 * UTS #39 skeleton, and may not mix scripts beyond the "highly restrictive" level.
 */

/** Digits belong to every script: a suffix that keeps a name in its one script. */
const digits = () => String(randomInt(1e8, 1e9));

async function tryRegister(username: string, language?: string) {
  return invoke(register, {
    body: { username, email: `${uniqueName('m')}@example.com`, password: 'a fine password' },
    ...(language ? { headers: { 'accept-language': language } } : {}),
  });
}

describe('look-alike usernames', () => {
  it.each([
    ['Cyrillic', 'cop', 'сор'],
    ['Greek', 'ovo', 'ονο'],
    ['fullwidth', 'alice', 'ａｌｉｃｅ'],
    ['fullwidth capitals', 'alice', 'ＡＬＩＣＥ'],
    ['digit one for l', 'alice', 'a1ice'],
  ])('refuses a %s look-alike of an existing name as USERNAME_TAKEN', async (_, first, second) => {
    const suffix = digits();
    const original = await tryRegister(`${first}${suffix}`);
    expect(original.status).toBe(201);

    const lookAlike = await tryRegister(`${second}${suffix}`);
    expect(lookAlike.status).toBe(409);
    expect(lookAlike.body).toEqual({ error: '用户名已被占用', code: 'USERNAME_TAKEN' });
    const db = await getDb();
    const rows = await db
      .selectFrom('users')
      .select('username')
      .where('username', 'like', `%${suffix}`)
      .execute();
    expect(rows.map((row) => row.username)).toEqual([`${first}${suffix}`]);
  });

  it('stores the NFKC form: a fullwidth name is registered in ASCII, with its skeleton and grams', async () => {
    const suffix = digits();
    const response = await tryRegister(`ｂｏｂ${suffix}`);
    expect(response.status).toBe(201);
    expect(response.body.data.user.username).toBe(`bob${suffix}`);

    const row = await storedUserByName(`bob${suffix}`);
    expect(row).toMatchObject({
      username: `bob${suffix}`,
      username_key: `bob${suffix}`,
      // 1 and 0 look like l and o
      username_skeleton: `bob${suffix}`.replace(/1/g, 'l').replace(/0/g, 'o'),
      skeleton_tiebreak: 0,
    });
    const db = await getDb();
    const grams = await db
      .selectFrom('username_grams')
      .select('gram')
      .where('user_id', '=', row?.id ?? 0)
      .execute();
    expect(grams.map((gram) => gram.gram)).toEqual(
      expect.arrayContaining(['\u0001b', '\u0001bob', 'bo', 'ob', 'bob']),
    );
  });

  it('logs in with the fullwidth or differently cased form of the name', async () => {
    const suffix = digits();
    const user = await registerUser({ username: `carol${suffix}` });
    for (const typed of [`ｃａｒｏｌ${suffix}`, `CAROL${suffix}`]) {
      const response = await invoke(login, { body: { username: typed, password: user.password } });
      expect(response.status).toBe(200);
      expect(response.body.data.user.id).toBe(user.id);
    }
    // A look-alike is not the same login name: only the name's own forms log in.
    const lookAlike = await invoke(login, {
      body: { username: `сarol${suffix}`, password: user.password },
    });
    expect(lookAlike.status).toBe(401);
  });

  it('adds a friend named in fullwidth form', async () => {
    const suffix = digits();
    const [me, friend] = [await registerUser(), await registerUser({ username: `erin${suffix}` })];
    const response = await invoke(addFriend, {
      token: me.token,
      body: { friend_username: `ＥＲＩＮ${suffix}` },
    });
    expect(response.status).toBe(201);
    expect(response.body.data.friend.id).toBe(friend.id);
  });

  it.each([
    ['Han with Latin', '张三Lee'],
    ['Han with Hiragana, Katakana and Latin', '田中さんカタカナabc'],
    ['Han with Hangul and Latin', '金김kim'],
    ['Han with Bopomofo', '王ㄅㄆ'],
    ['Cyrillic alone', 'иван'],
    ['Greek alone', 'ξενια'],
    ['Latin with digits and punctuation', 'Alice2_.-'],
  ])('accepts %s', async (_, base) => {
    const response = await tryRegister(`${base}${digits()}`);
    expect(response.status).toBe(201);
  });

  it.each([
    ['Cyrillic а among Latin letters', 'аlice'],
    ['Greek α among Latin letters', 'αlice'],
    ['Latin with Cyrillic', 'ivanиван'],
    ['Hangul with Hiragana', '김さん'],
    ['Latin with Arabic-Indic digits', 'abc٣'],
  ])('refuses %s with a field message in both languages', async (_, base) => {
    const zh = await tryRegister(`${base}${digits()}`);
    expect(zh.status).toBe(400);
    expect(zh.body.code).toBe('VALIDATION_ERROR');
    expect(zh.body.details).toEqual([
      {
        field: 'username',
        message: '用户名不能混用多种文字（如拉丁字母与西里尔字母）；汉字可与拉丁字母和数字同用',
      },
    ]);
    const en = await tryRegister(`${base}${digits()}`, 'en');
    expect(en.body.details).toEqual([
      {
        field: 'username',
        message:
          'must not mix scripts (such as Latin and Cyrillic letters); Han may be combined with Latin letters and digits',
      },
    ]);
  });

  it('still refuses emoji as a format error', async () => {
    const response = await tryRegister(`ab😀${digits()}`);
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([
      { field: 'username', message: '用户名须为 2-32 个字符，只能包含字母、数字、_、- 和 .' },
    ]);
  });

  it('checks the length after NFKC: a ligature that expands past 32 characters is refused', async () => {
    // U+FB03 (ﬃ) is one character that NFKC turns into three.
    const response = await tryRegister('\uFB03'.repeat(11));
    expect(response.status).toBe(400);
    expect(response.body.details?.[0]?.field).toBe('username');
  });

  it('lets exactly one of two concurrent look-alike registrations succeed', async () => {
    const suffix = digits();
    const responses = await Promise.all([
      tryRegister(`dora${suffix}`),
      tryRegister(`ｄｏｒａ${suffix}`),
      tryRegister(`DORA${suffix}`),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409]);
  });
});
