import { sql } from 'kysely';
import { handler as chats } from '../../functions/message/chats';
import { handler as history } from '../../functions/message/history';
import { handler as last } from '../../functions/message/last';
import { handler as markRead } from '../../functions/message/mark-read';
import { handler as updates } from '../../functions/message/updates';
import { getDb } from '../../lib/db/connection';
import {
  conversationRow,
  countUnread,
  registerFriends,
  sendMany,
  sendMessage,
  storedReadState,
} from '../helpers/chat';
import { seedBacklog } from '../helpers/backlog';
import { invoke } from '../helpers/invoke';
import type { TestUser } from '../helpers/users';

/**
 * mark_read moves a read watermark (one read_marks row) instead of updating every message
 * it reads; every message still answers with the read state and read_at it had before.
 */
interface ApiMessage {
  id: number;
  sender_id: number;
  is_read: boolean;
  read_at: string | null;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function read(user: TestUser, sender: TestUser, upToId?: number) {
  const body =
    upToId === undefined ? { sender_id: sender.id } : { sender_id: sender.id, up_to_id: upToId };
  const response = await invoke(markRead, { token: user.token, body });
  expect(response.status).toBe(200);
  return response.body.data.updated as number;
}

async function historyOf(user: TestUser, peer: TestUser): Promise<ApiMessage[]> {
  const response = await invoke(history, {
    token: user.token,
    query: { friend_id: String(peer.id), per_page: '100' },
  });
  expect(response.status).toBe(200);
  return response.body.data.messages;
}

async function marksOf(reader: TestUser, sender: TestUser) {
  const db = await getDb();
  return db
    .selectFrom('read_marks')
    .selectAll()
    .where('reader_id', '=', reader.id)
    .where('sender_id', '=', sender.id)
    .orderBy('up_to_id')
    .execute();
}

async function totalUnread(user: TestUser): Promise<number> {
  const response = await invoke(chats, { token: user.token });
  return response.body.data.total_unread;
}

describe('read state as a watermark', () => {
  let alice: TestUser;
  let bob: TestUser;
  beforeEach(async () => {
    [alice, bob] = await registerFriends();
  });

  it('gives each message the read_at of the mark that first reached it, everywhere', async () => {
    const early = await sendMany(alice, bob, 3, 'early');
    expect(await read(bob, alice, early[1])).toBe(2);
    await pause(5);
    const late = await sendMany(alice, bob, 2, 'late');
    await sendMany(bob, alice, 1, 'reply');
    expect(await read(bob, alice)).toBe(3);

    const marks = await marksOf(bob, alice);
    expect(marks).toHaveLength(2);
    const [first, second] = marks.map((mark) => `${mark.read_at.replace(' ', 'T')}Z`);
    expect(first).not.toEqual(second);
    const expected = new Map<number, string | undefined>([
      [early[0] ?? 0, first],
      [early[1] ?? 0, first],
      [early[2] ?? 0, second],
      [late[0] ?? 0, second],
      [late[1] ?? 0, second],
    ]);

    // History, for both sides: Alice's messages read at their mark's time; Bob's reply unread.
    for (const [viewer, peer] of [
      [bob, alice],
      [alice, bob],
    ] as const) {
      const messages = await historyOf(viewer, peer);
      expect(messages).toHaveLength(6);
      for (const message of messages) {
        const readAt = expected.get(message.id) ?? null;
        expect({ id: message.id, is_read: message.is_read, read_at: message.read_at }).toEqual({
          id: message.id,
          is_read: readAt !== null,
          read_at: readAt,
        });
      }
    }
    // Catch-up, last and the chat list agree.
    const caughtUp = await invoke(updates, { token: bob.token, query: { after_id: '0' } });
    expect(caughtUp.body.data.messages).toEqual(await historyOf(bob, alice));
    const lastOfAlice = await invoke(last, {
      token: alice.token,
      query: { friend_id: String(bob.id) },
    });
    expect(lastOfAlice.body.data.message).toMatchObject({ sender_id: bob.id, is_read: false });
    await read(alice, bob);
    const list = await invoke(chats, { token: bob.token });
    expect(list.body.data.chats[0].last_message).toMatchObject({
      sender_id: bob.id,
      is_read: true,
      read_at: expect.stringMatching(/Z$/),
    });
    // And the stored state says the same.
    expect(await storedReadState([...early, ...late])).toEqual(
      [...early, ...late].map((id) => ({
        id,
        is_read: true,
        read_at: (expected.get(id) ?? '').replace('T', ' ').replace('Z', ''),
      })),
    );
  });

  it('answers each message its own mark on every page, however many marks there are', async () => {
    // 24 messages each way, Bob reading after each of Alice's: 24 marks, each its own time.
    const fromAlice: number[] = [];
    for (let index = 0; index < 24; index += 1) {
      fromAlice.push(...(await sendMany(alice, bob, 1, `a${index}`)));
      await sendMany(bob, alice, 1, `b${index}`);
      expect(await read(bob, alice)).toBe(1);
      await pause(2);
    }
    const marks = await marksOf(bob, alice);
    expect(marks).toHaveLength(24);
    const expected = await storedReadState(fromAlice);
    expect(new Set(expected.map((row) => row.read_at)).size).toBe(24);
    const asApi = (id: number) => {
      const row = expected.find((entry) => entry.id === id);
      return row?.read_at == null ? null : `${row.read_at.replace(' ', 'T')}Z`;
    };
    const seen = new Map<number, string | null>();
    for (const page of ['1', '2', '3', '4', '5', '6', '7']) {
      const response = await invoke(history, {
        token: bob.token,
        query: { friend_id: String(alice.id), per_page: '7', page },
      });
      for (const message of response.body.data.messages as ApiMessage[]) {
        if (message.sender_id === alice.id) seen.set(message.id, message.read_at);
        else expect(message).toMatchObject({ is_read: false, read_at: null });
      }
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(fromAlice);
    for (const id of fromAlice) expect(seen.get(id)).toBe(asApi(id));
    // Catch-up in small pages from the middle says the same.
    const middle = fromAlice[11] ?? 0;
    const caughtUp = await invoke(updates, {
      token: bob.token,
      query: { after_id: String(middle - 1), limit: '5' },
    });
    for (const message of caughtUp.body.data.messages as ApiMessage[]) {
      if (message.sender_id === alice.id) expect(message.read_at).toBe(asApi(message.id));
    }
  });

  it('writes one mark per call that reads something, and nothing for one that does not', async () => {
    const ids = await sendMany(alice, bob, 4);
    expect(await read(bob, alice, ids[1])).toBe(2);
    expect(await read(bob, alice, ids[1])).toBe(0);
    expect(await read(bob, alice, ids[0])).toBe(0);
    expect(await read(bob, alice)).toBe(2);
    expect(await read(bob, alice)).toBe(0);
    expect(await read(bob, alice, 9_999_999_999)).toBe(0);
    expect((await marksOf(bob, alice)).map((mark) => mark.up_to_id)).toEqual([ids[1], ids[3]]);
    // The messages themselves are never rewritten.
    const db = await getDb();
    const rows = await db
      .selectFrom('messages')
      .select(['is_read', 'read_at'])
      .where('id', 'in', ids)
      .execute();
    expect(rows.every((row) => row.is_read === 0 && row.read_at === null)).toBe(true);
  });

  it('never reaches a message sent after the mark, whatever up_to_id said', async () => {
    await sendMany(alice, bob, 2);
    expect(await read(bob, alice, 9_999_999_999)).toBe(2);
    const [later] = await sendMany(alice, bob, 1, 'later');
    const messages = await historyOf(bob, alice);
    expect(messages.find((message) => message.id === later)).toMatchObject({
      is_read: false,
      read_at: null,
    });
    expect(await conversationRow(bob.id, alice.id)).toMatchObject({ unread_count: 1 });
    expect(await totalUnread(bob)).toBe(1);
    expect(await read(bob, alice)).toBe(1);
  });

  it('counts a mark that stops short exactly, with the other direction interleaved', async () => {
    const ids: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      ids.push(...(await sendMany(alice, bob, 1, `a${index}`)));
      await sendMany(bob, alice, 1, `b${index}`);
    }
    // up_to_id on one of Bob's own messages: reads Alice's below it.
    const bobsHistory = await historyOf(bob, alice);
    const bobsThird = bobsHistory.filter((message) => message.sender_id === bob.id)[2]?.id ?? 0;
    expect(await read(bob, alice, bobsThird)).toBe(3);
    expect(await countUnread(bob.id, alice.id)).toBe(3);
    expect(await conversationRow(bob.id, alice.id)).toMatchObject({ unread_count: 3 });
    expect(await totalUnread(bob)).toBe(3);
    expect(await read(bob, alice, ids[4])).toBe(2);
    expect(await read(bob, alice)).toBe(1);
    expect(await totalUnread(bob)).toBe(0);
    // Alice's unread (Bob's messages) untouched throughout.
    expect(await conversationRow(alice.id, bob.id)).toMatchObject({ unread_count: 6 });
  });

  it('reads a backlog of 100,000 in one mark, with sends and mark_reads racing, counts exact', async () => {
    const backlog = 100_000;
    const { first, last: newest } = await seedBacklog(alice.id, bob.id, backlog);
    expect(await conversationRow(bob.id, alice.id)).toMatchObject({ unread_count: backlog });
    expect(await totalUnread(bob)).toBe(backlog);

    const work: Promise<{ status: number; body: { data: { updated?: number } } }>[] = [];
    // One mark stops inside the backlog; the rest read everything there is.
    work.push(
      invoke(markRead, {
        token: bob.token,
        body: { sender_id: alice.id, up_to_id: first + backlog / 2 - 1 },
      }),
    );
    for (let index = 0; index < 30; index += 1) {
      work.push(sendMessage(alice, bob, `racing ${index}`));
      if (index % 5 === 0)
        work.push(invoke(markRead, { token: bob.token, body: { sender_id: alice.id } }));
      if (index % 10 === 0) work.push(sendMessage(bob, alice, `back ${index}`));
    }
    const results = await Promise.all(work);
    expect(results.every((result) => result.status === 200 || result.status === 201)).toBe(true);
    const markedRead = results.reduce((sum, result) => sum + (result.body.data.updated ?? 0), 0);

    const unread = await countUnread(bob.id, alice.id);
    expect(markedRead + unread).toBe(backlog + 30);
    expect((await conversationRow(bob.id, alice.id))?.unread_count).toBe(unread);
    expect(await totalUnread(bob)).toBe(unread);
    // The backlog was read by marks, not by rewriting its rows: a handful of marks.
    expect((await marksOf(bob, alice)).length).toBeLessThanOrEqual(8);
    const db = await getDb();
    const rewritten = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('id', '>=', first)
      .where('id', '<=', newest)
      .where('is_read', '=', 1)
      .executeTakeFirstOrThrow();
    expect(Number(rewritten.count)).toBe(0);
    // The unread ones are Alice's newest: the page shows as many as it holds of them.
    const fromAlice = (await historyOf(bob, alice)).filter(
      (message) => message.sender_id === alice.id,
    );
    expect(fromAlice.filter((message) => !message.is_read)).toHaveLength(
      Math.min(unread, fromAlice.length),
    );
  }, 120_000);
});

/**
 * On MariaDB a message gets its id at insert and commits later. A watermark that passed a
 * message still to commit would show it read although its reader never saw it.
 */
const onMysql = process.env.DB_TYPE === 'mysql' ? describe : describe.skip;

onMysql('a watermark and a message that commits after a newer one (MariaDB)', () => {
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    const db = await getDb();
    // Holds a send between its message's insert (the id is taken) and its commit.
    await sql`create trigger messages_slow_commit after insert on messages for each row
      set @slept = if(new.content like 'slow to commit%', sleep(1.5), 0)`.execute(db);
  });
  afterAll(async () => {
    const db = await getDb();
    await sql`drop trigger if exists messages_slow_commit`.execute(db);
  });
  beforeEach(async () => {
    [alice, bob] = await registerFriends();
  });

  it.each([
    ['everything', undefined],
    ['up_to_id far ahead', 9_999_999_999],
  ])(
    'leaves it unread when mark_read reads %s meanwhile',
    async (_, upToId) => {
      const [seen] = await sendMany(alice, bob, 1, 'seen');
      const slow = sendMessage(alice, bob, 'slow to commit');
      await pause(300);
      // Newer messages both ways, racing the slow one, and then Bob reads.
      const quick = sendMessage(alice, bob, 'quick');
      const reply = sendMessage(bob, alice, 'reply');
      await pause(300);
      const updated = await read(bob, alice, upToId);
      const sent = await Promise.all([slow, quick, reply]);
      expect(sent.map((response) => response.status)).toEqual([201, 201, 201]);
      const slowId = sent[0]?.body.data.message.id as number;
      const quickId = sent[1]?.body.data.message.id as number;
      expect(slowId).toBeLessThan(quickId);

      // Bob read what had committed when he read: the first message, and nothing after it.
      expect(updated).toBe(1);
      const messages = await historyOf(bob, alice);
      const stateOf = (id: number | undefined) => messages.find((message) => message.id === id);
      expect(stateOf(seen)).toMatchObject({ is_read: true });
      expect(stateOf(slowId)).toMatchObject({ is_read: false, read_at: null });
      expect(stateOf(quickId)).toMatchObject({ is_read: false, read_at: null });
      expect(await conversationRow(bob.id, alice.id)).toMatchObject({ unread_count: 2 });
      expect(await countUnread(bob.id, alice.id)).toBe(2);
      expect(await totalUnread(bob)).toBe(2);
      // The next mark reads both.
      expect(await read(bob, alice)).toBe(2);
    },
    20_000,
  );
});
