import { getDb } from '../../lib/db/connection';
import { toDbTimestamp } from '../../lib/db/time';
import { friendshipKey } from '../../lib/friends';
import { chatList, conversationHistory, lastMessage, markRead } from '../../lib/messages';
import {
  analyze,
  capturedQueries,
  explainQueries,
  planRowsFor,
  rowsRead,
  seedUsers,
  type PlanRow,
} from '../helpers/query-plans';

/**
 * EXPLAIN of the exact SQL the message functions run, on a seeded MySQL database: the chat
 * list touches only the caller's conversation rows (then one message and one user per row,
 * by primary key); history, last and mark_read read their indexes, never scan messages.
 */
const PEERS = 150;
const MESSAGES_PER_PEER = 12;
let hub: number;
let busiestPeer: number;
/** A conversation that is most of the table, as in a small deployment with one busy pair. */
let dominantPeer: number;
let middleOfDominant: number;
const DOMINANT_MESSAGES = 3_000;

async function seed(): Promise<void> {
  const db = await getDb();
  const now = toDbTimestamp();
  const ids = await seedUsers('plan', PEERS + 1);
  hub = ids[0] ?? 0;
  const peers = ids.slice(1);
  busiestPeer = peers[0] ?? 0;
  for (const peer of peers) {
    const rows = Array.from({ length: MESSAGES_PER_PEER }, (_, index) => {
      const [sender, receiver] = index % 2 === 0 ? [peer, hub] : [hub, peer];
      return {
        sender_id: sender,
        receiver_id: receiver,
        ...friendshipKey(hub, peer),
        content: `seed ${index}`,
        message_type: 'text' as const,
        client_msg_id: null,
        is_read: 0,
        read_at: null,
        created_at: now,
      };
    });
    await db.insertInto('messages').values(rows).execute();
    const { last } = await db
      .selectFrom('messages')
      .select((eb) => eb.fn.max('id').as('last'))
      .where('user_low_id', '=', Math.min(hub, peer))
      .where('user_high_id', '=', Math.max(hub, peer))
      .executeTakeFirstOrThrow();
    await db
      .insertInto('conversations')
      .values([
        {
          owner_id: hub,
          peer_id: peer,
          last_message_id: Number(last),
          unread_count: 6,
          message_count: 12,
          updated_at: now,
        },
        {
          owner_id: peer,
          peer_id: hub,
          last_message_id: Number(last),
          unread_count: 6,
          message_count: 12,
          updated_at: now,
        },
      ])
      .execute();
  }
  dominantPeer = (await seedUsers('plandominant', 1))[0] ?? 0;
  const pair = friendshipKey(hub, dominantPeer);
  for (let start = 0; start < DOMINANT_MESSAGES; start += 1000) {
    await db
      .insertInto('messages')
      .values(
        Array.from({ length: 1000 }, (_, index) => ({
          sender_id: index % 2 === 0 ? hub : dominantPeer,
          receiver_id: index % 2 === 0 ? dominantPeer : hub,
          ...pair,
          content: `busy ${start + index}`,
          message_type: 'text' as const,
          client_msg_id: null,
          is_read: 1,
          read_at: now,
          created_at: now,
        })),
      )
      .execute();
  }
  const dominantIds = await db
    .selectFrom('messages')
    .select('id')
    .where('user_low_id', '=', pair.user_low_id)
    .where('user_high_id', '=', pair.user_high_id)
    .orderBy('id')
    .execute();
  middleOfDominant = dominantIds[Math.floor(dominantIds.length / 2)]?.id ?? 0;
  await db.insertInto('unread_totals').values({ user_id: hub, unread_count: 7 }).execute();
  // The hub has read each peer's first message: one read mark each.
  await db
    .insertInto('read_marks')
    .columns(['reader_id', 'sender_id', 'up_to_id', 'read_at'])
    .expression((eb) =>
      eb
        .selectFrom('messages')
        .select(['receiver_id', 'sender_id', 'id', 'created_at'])
        .where('content', '=', 'seed 0'),
    )
    .execute();
  await db
    .insertInto('conversations')
    .values({
      owner_id: hub,
      peer_id: dominantPeer,
      last_message_id: dominantIds[dominantIds.length - 1]?.id ?? 0,
      unread_count: 0,
      message_count: DOMINANT_MESSAGES,
      updated_at: now,
    })
    .execute();
  await analyze();
}

beforeAll(seed, 60_000);

it('the chat list reads only the caller’s conversation rows, then messages and users by key', async () => {
  const explained = await explainQueries(() => chatList(hub, 50));
  // The page, then its read state.
  expect(explained).toHaveLength(2);
  expectReadStateByKey(explained[1]);
  const conversations = planRowsFor(explained, 'c');
  expect(conversations).toHaveLength(1);
  // Pinned first, each group newest first, hidden left out: all from the index's order.
  expect(conversations[0]).toMatchObject({ type: 'ref', key: 'conversations_list_idx' });
  const messages = planRowsFor(explained, 'm');
  expect(messages).toHaveLength(1);
  expect(messages[0]).toMatchObject({ type: 'eq_ref', key: 'PRIMARY' });
  expect(planRowsFor(explained, 'u')[0]).toMatchObject({ type: 'eq_ref', key: 'PRIMARY' });
  // total_unread: one row of unread_totals by primary key, not a sum over the chats.
  expect(planRowsFor(explained, 'unread_totals')[0]).toMatchObject({
    type: 'const',
    key: 'PRIMARY',
  });
  const plan = explained[0]?.plan ?? [];
  expect(plan.some((row) => /filesort|temporary/i.test(row.Extra ?? ''))).toBe(false);
});

it('a chat-list page costs the same however many chats lie beyond it', async () => {
  const db = await getDb();
  // Some of the hub's chats pinned, some hidden, as a real list would have.
  const chats = await db
    .selectFrom('conversations')
    .select('peer_id')
    .where('owner_id', '=', hub)
    .orderBy('peer_id')
    .execute();
  const pinned = chats.filter((_, index) => index % 10 === 0).map((row) => row.peer_id);
  const hidden = chats.filter((_, index) => index % 10 === 5).map((row) => row.peer_id);
  await db
    .updateTable('conversations')
    .set({ pinned: 1 })
    .where('owner_id', '=', hub)
    .where('peer_id', 'in', pinned)
    .execute();
  await db
    .updateTable('conversations')
    .set({ hidden: 1 })
    .where('owner_id', '=', hub)
    .where('peer_id', 'in', hidden)
    .execute();
  try {
    const cost = async (limit: number) => {
      const [query] = await capturedQueries(() => chatList(hub, limit));
      if (!query) throw new Error('no chat-list query');
      return rowsRead(query);
    };
    const page = 10;
    const [small, whole] = [await cost(page), await cost(chats.length)];
    // About four reads a row (index, message, user, friendship) and one for the total.
    expect(small).toBeLessThanOrEqual(page * 6 + 10);
    // A page of 10 out of 150 chats costs a fraction of reading them all.
    expect(small * 5).toBeLessThan(whole);
    const list = await chatList(hub, chats.length);
    const visible = chats.length - hidden.length;
    expect(list.chats).toHaveLength(visible);
    expect(list.chats.slice(0, pinned.length).every((chat) => chat.pinned)).toBe(true);
  } finally {
    await db
      .updateTable('conversations')
      .set({ pinned: 0, hidden: 0 })
      .where('owner_id', '=', hub)
      .execute();
  }
});

it('history pages read the conversation index; deep pages then read only the page by key', async () => {
  for (const query of [
    { page: 1, perPage: 20 },
    { page: 3, perPage: 20 },
    { page: 1, perPage: 20, beforeId: 1_000_000 },
  ]) {
    const explained = await explainQueries(() => conversationHistory(hub, busiestPeer, query));
    // Its read state (an empty page has none to read).
    const readState = explained.find((entry) => entry.sql.includes('`read_marks`'));
    if (query.page === 1) expectReadStateByKey(readState);
    else expect(readState).toBeUndefined();
    // The page from the (pair, id) index, in its order, as a range (a cursor bounds it):
    // never a scan or a sort of messages…
    const ids = planRowsFor(explained, 'conversation');
    expect(ids).toHaveLength(1);
    expect(ids[0]?.type).not.toBe('ALL');
    if (query.beforeId !== undefined) expect(ids[0]?.type).toBe('range');
    expect(ids[0]?.key).toBe('messages_conversation_idx');
    expect(ids[0]?.Extra ?? '').not.toContain('filesort');
    expect(Number(ids[0]?.rows)).toBeLessThanOrEqual(MESSAGES_PER_PEER * 2);
    // …and a deep page reads each of its rows by primary key.
    expect(planRowsFor(explained, 'm')).toEqual(
      query.page > 1 ? [expect.objectContaining({ type: 'eq_ref', key: 'PRIMARY' })] : [],
    );
  }
});

it('a cursor deep into a conversation that is most of the table reads only its page', async () => {
  // Left to its statistics MariaDB read this by `ref` on the pair, filtering `id < cursor`
  // row by row from the newest: 1,500 rows for a page of 20.
  const explained = await explainQueries(() =>
    conversationHistory(hub, dominantPeer, { page: 1, perPage: 20, beforeId: middleOfDominant }),
  );
  const ids = planRowsFor(explained, 'conversation');
  expect(ids).toEqual([
    expect.objectContaining({ type: 'range', key: 'messages_conversation_idx' }),
  ]);
});

it('last reads one conversation row and one message by key', async () => {
  const explained = await explainQueries(() => lastMessage(hub, busiestPeer));
  expectReadStateByKey(explained[1]);
  expect(planRowsFor(explained, 'c')[0]).toMatchObject({ type: 'const', key: 'PRIMARY' });
  expect(planRowsFor(explained, 'm')[0]?.key).toBe('PRIMARY');
});

it('mark_read reads its conversation and watermark by key and rewrites no message', async () => {
  const db = await getDb();
  const middle = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('receiver_id', '=', hub)
    .where('sender_id', '=', busiestPeer)
    .where('content', '=', 'seed 6')
    .executeTakeFirstOrThrow();
  // A mark that stops short (it counts what it reads), then one that reads the rest.
  for (const upToId of [Number(middle.id), undefined]) {
    const explained = await explainQueries(() => markRead(hub, busiestPeer, upToId));
    expect(explained.some((entry) => /^update `messages`/.test(entry.sql))).toBe(false);
    expect(planRowsFor(explained, 'conversations')[0]).toMatchObject({
      type: 'const',
      key: 'PRIMARY',
    });
    // The watermark: the newest of the pair's marks, from an index holding (reader, sender,
    // up_to_id), read backwards.
    expect(planRowsFor(explained, 'read_marks')[0]).toMatchObject({
      type: 'ref',
      ref: 'const,const',
      Extra: expect.stringContaining('Using index'),
    });
    // Counting what a short mark reads, or finding the newest message read: the unread
    // index, as a range, or answered by its ends alone (MIN/MAX).
    const reads = explained.filter((entry) => entry.sql.includes('from `messages`'));
    expect(reads).toHaveLength(1);
    for (const row of reads[0]?.plan ?? []) {
      if (row.table === 'messages') {
        expect(row).toMatchObject({ key: 'messages_unread_idx', type: 'range' });
        expect(Number(row.rows ?? 0)).toBeLessThanOrEqual(MESSAGES_PER_PEER);
      } else {
        expect(row.Extra ?? '').toMatch(/optimized away|min\/max row|no tables used/i);
      }
    }
  }
});

/** The read-state statement of a page: a range of the read marks' primary key per sender. */
function expectReadStateByKey(entry: { sql: string; plan: PlanRow[] } | undefined): void {
  expect(entry?.sql).toContain('`read_marks`');
  const marks = (entry?.plan ?? []).filter((row) => row.table === 'read_marks');
  expect(marks.length).toBeGreaterThan(0);
  for (const row of marks) expect(row).toMatchObject({ type: 'range', key: 'PRIMARY' });
}
