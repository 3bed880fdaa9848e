/**
 * Every endpoint as a benchmark case: the i-th request to the real handler, and the same
 * request to its baseline. Requests that use something up (a refresh token, a friendship
 * to remove, unread messages) draw from pools sized for the run; the case ends a measured
 * run early when its pool is empty.
 */
import { createHash, randomBytes } from 'node:crypto';
import { issueAccessToken } from '../lib/auth/tokens';
import { getDb } from '../lib/db/connection';
import { toDbTimestamp } from '../lib/db/time';
import type { InvokeOptions } from '../test/helpers/invoke';
import { baselines } from './baselines';
import {
  chatListOf,
  conversationsOf,
  contentOf,
  usernameOf,
  type Dataset,
  type Reader,
} from './dataset';
import type { RawDb } from './raw-db';
import { benchPassword } from './seed';

/** One call: the handler's request, and the same request answered by the baseline. */
export interface Call {
  request: InvokeOptions;
  baseline: () => Promise<unknown>;
}

export interface EndpointCase {
  /** Short name: what the report and `--only` use. */
  name: string;
  /** The function in serverless.yml and its module. */
  functionName: string;
  module: string;
  expectStatus: 200 | 201;
  /** Runs bcrypt on purpose (register, login, change_password): fewer calls. */
  bcrypt?: boolean;
  /** Reads that must answer exactly what the baseline answers. */
  compare?: boolean;
  /** The i-th call, or undefined when the case's pool is used up. */
  call: (index: number) => Call | undefined;
}

export interface CaseContext {
  data: Dataset;
  raw: RawDb;
  /** Calls each case must support: every run, handler and baseline, warm-up included. */
  capacity: number;
  /** Unique per run, for names that must not exist yet. */
  tag: string;
}

/** Access tokens by session id (unique, whether a user's own session or a spare one). */
const tokens = new Map<number, string>();

/** The access token of a seeded session: by default the user's own (session id = user id). */
export function tokenOf(userId: number, sessionId = userId): string {
  let token = tokens.get(sessionId);
  if (!token) {
    token = issueAccessToken({ userId, tokenVersion: 0, sessionId }).access_token;
    tokens.set(sessionId, token);
  }
  return token;
}

/** A client address per call, so per-IP limits see many clients, as in production. */
const clientIp = (index: number) =>
  `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;

/** Users with no fixed role: not readers, not their friends, not reserved. */
export function ordinaryPairs(data: Dataset): [number, number][] {
  const pairs: [number, number][] = [];
  for (let index = 0; index < data.friendLow.length; index += 1) {
    const low = data.friendLow[index] ?? 0;
    const high = data.friendHigh[index] ?? 0;
    if (low >= data.ordinaryFrom && high < data.reservedFrom) pairs.push([low, high]);
  }
  return pairs;
}

/**
 * Ordinary friend pairs in which no user appears twice (the push stage: each receiver's
 * sockets get only its own sender's frames), from the end of the list.
 */
export function distinctPairs(data: Dataset, count: number): [number, number][] {
  const used = new Set<number>();
  const pairs: [number, number][] = [];
  const all = ordinaryPairs(data);
  for (let index = all.length - 1; index >= 0 && pairs.length < count; index -= 1) {
    const [a, b] = all[index] ?? [0, 0];
    if (used.has(a) || used.has(b)) continue;
    used.add(a);
    used.add(b);
    pairs.push([a, b]);
  }
  if (pairs.length < count) {
    throw new Error(`only ${pairs.length} friend pairs without a shared user, ${count} needed`);
  }
  return pairs;
}

/** The id of the message `back` messages before the newest of a reader's long conversation. */
export function messageIdBack(data: Dataset, reader: Reader, back: number): number {
  const ids: number[] = [];
  for (let index = 0; index < data.phaseOneMessages; index += 1) {
    const from = data.sender[index];
    const to = data.receiver[index];
    const inConversation =
      (from === reader.userId && to === reader.partnerId) ||
      (from === reader.partnerId && to === reader.userId);
    if (inConversation) ids.push(index + 1);
  }
  const id = ids[ids.length - back];
  if (id === undefined) throw new Error('the long conversation is shorter than the deep page');
  return id;
}

/** Sessions (and refresh tokens) made only to be used up by logout and refresh. */
export async function disposableSessions(
  data: Dataset,
  count: number,
): Promise<{ sessionIds: number[]; userIds: number[]; refreshTokens: string[] }> {
  const db = await getDb();
  const now = new Date();
  const first = data.users + 1_000_000 + Math.floor(Math.random() * 1_000_000);
  const sessionIds = Array.from({ length: count }, (_, index) => first + index);
  const userIds = sessionIds.map(
    (_, index) => data.ordinaryFrom + (index % (data.reservedFrom - data.ordinaryFrom)),
  );
  const refreshTokens = sessionIds.map(() => randomBytes(32).toString('base64url'));
  for (let start = 0; start < count; start += 1000) {
    const slice = sessionIds.slice(start, start + 1000);
    await db
      .insertInto('sessions')
      .values(
        slice.map((id, offset) => ({
          id,
          user_id: userIds[start + offset] ?? 0,
          token_version: 0,
          created_at: toDbTimestamp(now),
          revoked_at: null,
        })),
      )
      .execute();
    await db
      .insertInto('refresh_tokens')
      .values(
        slice.map((id, offset) => ({
          token_hash: createHash('sha256')
            .update(refreshTokens[start + offset] ?? '')
            .digest('hex'),
          session_id: id,
          created_at: toDbTimestamp(now),
          expires_at: toDbTimestamp(new Date(now.getTime() + 86_400_000)),
          used_at: null,
        })),
      )
      .execute();
  }
  return { sessionIds, userIds, refreshTokens };
}

const historyPage = { per_page: 20 };

/**
 * The read cases the scaling runs measure, at both data sizes: the endpoints stage's, and
 * after chats the chat list at one page size for users with few and with many chats.
 */
export function readCases(context: Pick<CaseContext, 'data' | 'raw'>): EndpointCase[] {
  const reads = messageReads(context);
  reads.splice(
    reads.findIndex((entry) => entry.name === 'chats') + 1,
    0,
    ...chatListSizes(context),
  );
  return reads;
}

/**
 * The chat list at one page, the readers' whole list (20 chats by default), for the readers
 * and for the many-chats user, whose page is a sliver of its chats: the two must cost the
 * same. The many-chats case's first call also checks the seeded rows against the data set
 * (pinned, muted and hidden as dealt; total_unread outside muted chats): the comparison
 * with the baseline cannot catch a seed that dropped them, as both read the same rows.
 */
function chatListSizes(context: Pick<CaseContext, 'data' | 'raw'>): EndpointCase[] {
  const { data, raw } = context;
  const limit = data.readerChats;
  const chats = (
    name: string,
    userOf: (index: number) => number,
    check?: (answer: Awaited<ReturnType<typeof baselines.chats>>) => void,
  ): EndpointCase => ({
    name,
    functionName: 'messageChats',
    module: '../functions/message/chats',
    expectStatus: 200,
    compare: true,
    call: (index) => {
      const token = tokenOf(userOf(index));
      return {
        request: { method: 'GET', query: { limit: String(limit) }, token },
        baseline: async () => {
          const answer = await baselines.chats(raw, token, limit);
          if (index === 0) check?.(answer);
          return answer;
        },
      };
    },
  });
  return [
    chats('chats, few chats', (index) => readerAt(data, index).userId),
    chats(
      'chats, many chats',
      () => data.manyChats.userId,
      (answer) => {
        const expected = chatListOf(data, data.manyChats.userId, data.phaseOneMessages, limit);
        // Peer, pinned, muted, unread count and last message of each entry, in order.
        const seeded = JSON.stringify(
          answer.chats.map((chat) => [
            chat.friend.id,
            chat.pinned,
            chat.muted,
            chat.unread_count,
            chat.last_message.id,
          ]),
        );
        const dealt = JSON.stringify(
          expected.chats.map((row) => [
            row.peer,
            row.pinned,
            row.muted,
            row.unreadCount,
            row.lastMessageId,
          ]),
        );
        if (seeded !== dealt || answer.total_unread !== expected.totalUnread) {
          throw new Error(
            `chats, many chats: the seeded list is not the data set's\nseeded: ${seeded} total ${answer.total_unread}\ndealt:  ${dealt} total ${expected.totalUnread}`,
          );
        }
      },
    ),
  ];
}

/** The reads of the endpoints stage. */
function messageReads(context: Pick<CaseContext, 'data' | 'raw'>): EndpointCase[] {
  const { data, raw } = context;
  const { readers } = data;
  const reader = (index: number) => readers[index % readers.length] as Reader;
  const half = Math.floor(data.longConversation / 2);
  const deepPage = Math.floor(half / historyPage.per_page) + 1;
  const cursors = new Map(readers.map((r) => [r.userId, messageIdBack(data, r, half)]));

  const history = (
    name: string,
    extra: (r: Reader) => { page?: string; before_id?: string },
  ): EndpointCase => ({
    name,
    functionName: 'messageHistory',
    module: '../functions/message/history',
    expectStatus: 200,
    compare: true,
    call: (index) => {
      const r = reader(index);
      const query: Record<string, string> = {
        friend_id: String(r.partnerId),
        per_page: '20',
        ...extra(r),
      };
      return {
        request: { method: 'GET', query, token: tokenOf(r.userId) },
        baseline: () =>
          baselines.history(raw, tokenOf(r.userId), {
            friendId: r.partnerId,
            perPage: 20,
            page: Number(query.page ?? 1),
            beforeId: query.before_id === undefined ? undefined : Number(query.before_id),
          }),
      };
    },
  });

  return [
    {
      name: 'chats',
      functionName: 'messageChats',
      module: '../functions/message/chats',
      expectStatus: 200,
      compare: true,
      call: (index) => {
        const r = reader(index);
        return {
          request: { method: 'GET', token: tokenOf(r.userId) },
          baseline: () => baselines.chats(raw, tokenOf(r.userId), 50),
        };
      },
    },
    history('history', () => ({})),
    history('history deep page', () => ({ page: String(deepPage) })),
    history('history deep cursor', (r) => ({ before_id: String(cursors.get(r.userId)) })),
    {
      name: 'last',
      functionName: 'messageLast',
      module: '../functions/message/last',
      expectStatus: 200,
      compare: true,
      call: (index) => {
        const r = reader(index);
        return {
          request: {
            method: 'GET',
            query: { friend_id: String(r.partnerId) },
            token: tokenOf(r.userId),
          },
          baseline: () => baselines.last(raw, tokenOf(r.userId), r.partnerId),
        };
      },
    },
  ];
}

/** A seeded user with no fixed role (not a reader or their friend, not reserved). */
function ordinaryUser(data: Dataset, index: number): number {
  return data.ordinaryFrom + (index % (data.reservedFrom - data.ordinaryFrom));
}

function readerAt(data: Dataset, index: number): Reader {
  return data.readers[index % data.readers.length] as Reader;
}

/** Accounts and sessions: health, register, login, refresh, profile, logout, change_password. */
async function accountCases(context: CaseContext): Promise<EndpointCase[]> {
  const { data, raw, capacity, tag } = context;
  const ordinary = (index: number) => ordinaryUser(data, index);
  const disposable = await disposableSessions(data, 2 * capacity);
  const refreshPool = disposable.refreshTokens.slice(0, capacity);
  const logoutPool = disposable.sessionIds.slice(capacity).map((sessionId, offset) => ({
    sessionId,
    userId: disposable.userIds[capacity + offset] ?? 0,
  }));
  const reserved = (index: number) =>
    index < data.users - data.reservedFrom + 1 ? data.reservedFrom + index : undefined;

  return [
    {
      name: 'health',
      functionName: 'health',
      module: '../functions/system/health',
      expectStatus: 200,
      compare: true,
      call: () => ({ request: { method: 'GET' }, baseline: () => baselines.health(raw) }),
    },
    {
      name: 'register',
      functionName: 'register',
      module: '../functions/auth/register',
      expectStatus: 201,
      bcrypt: true,
      call: (index) => {
        const input = {
          username: `n${tag}${index}`,
          email: `n${tag}${index}@example.com`,
          password: benchPassword,
        };
        return {
          request: { body: input, sourceIp: clientIp(index) },
          baseline: () => baselines.register(raw, input),
        };
      },
    },
    {
      name: 'login',
      functionName: 'login',
      module: '../functions/auth/login',
      expectStatus: 200,
      bcrypt: true,
      call: (index) => {
        const input = { username: usernameOf(ordinary(index * 31)), password: benchPassword };
        return {
          request: { body: input, sourceIp: clientIp(index) },
          baseline: () => baselines.login(raw, input),
        };
      },
    },
    {
      name: 'refresh',
      functionName: 'refresh',
      module: '../functions/auth/refresh',
      expectStatus: 200,
      call: (index) => {
        const token = refreshPool[index];
        if (token === undefined) return undefined;
        return {
          request: { body: { refresh_token: token } },
          baseline: () => baselines.refresh(raw, token),
        };
      },
    },
    {
      name: 'profile',
      functionName: 'profile',
      module: '../functions/auth/profile',
      expectStatus: 200,
      compare: true,
      call: (index) => {
        const token = tokenOf(ordinary(index));
        return {
          request: { method: 'GET', token },
          baseline: () => baselines.profile(raw, token),
        };
      },
    },
    {
      name: 'logout',
      functionName: 'logout',
      module: '../functions/auth/logout',
      expectStatus: 200,
      call: (index) => {
        const session = logoutPool[index];
        if (!session) return undefined;
        const token = tokenOf(session.userId, session.sessionId);
        return { request: { method: 'POST', token }, baseline: () => baselines.logout(raw, token) };
      },
    },
    {
      // Its users are reserved: ending their sessions touches no other case.
      name: 'change_password',
      functionName: 'changePassword',
      module: '../functions/auth/change-password',
      expectStatus: 200,
      bcrypt: true,
      call: (index) => {
        const userId = reserved(index);
        if (userId === undefined) return undefined;
        const input = { old: benchPassword, new: `${benchPassword}-changed` };
        return {
          request: {
            body: { old_password: input.old, new_password: input.new },
            token: tokenOf(userId),
          },
          baseline: () => baselines.changePassword(raw, tokenOf(userId), input),
        };
      },
    },
  ];
}

/** Friends: add, list, remove (undoing the additions, in order) and search. */
function friendCases(context: CaseContext): EndpointCase[] {
  const { data, raw, capacity } = context;
  const ordinary = (index: number) => ordinaryUser(data, index);
  const reader = (index: number) => readerAt(data, index);
  // Friend requests between users who are not friends yet.
  const friends = new Set(ordinaryPairs(data).map(([a, b]) => `${a}:${b}`));
  const additions: [number, number][] = [];
  for (let index = 0; additions.length < capacity && index < capacity * 20; index += 1) {
    const a = ordinary(index * 7);
    const b = ordinary(index * 7919 + 13);
    const pairKey = `${Math.min(a, b)}:${Math.max(a, b)}`;
    if (a === b || friends.has(pairKey)) continue;
    friends.add(pairKey);
    additions.push([a, b]);
  }
  // Removals undo additions in order, never past the last one made.
  let additionsMade = 0;
  let removed = 0;

  return [
    {
      name: 'friend add',
      functionName: 'friendAdd',
      module: '../functions/friend/add',
      expectStatus: 201,
      call: (index) => {
        const pair = additions[index];
        if (!pair) return undefined;
        const [a, b] = pair;
        additionsMade = Math.max(additionsMade, index + 1);
        return {
          request: { body: { friend_username: usernameOf(b) }, token: tokenOf(a) },
          baseline: () => baselines.friendAdd(raw, tokenOf(a), usernameOf(b)),
        };
      },
    },
    {
      name: 'friend list',
      functionName: 'friendList',
      module: '../functions/friend/list',
      expectStatus: 200,
      compare: true,
      call: (index) => {
        const token = tokenOf(reader(index).userId);
        return {
          request: { method: 'GET', token },
          baseline: () => baselines.friendList(raw, token),
        };
      },
    },
    {
      name: 'friend remove',
      functionName: 'friendRemove',
      module: '../functions/friend/remove',
      expectStatus: 200,
      call: () => {
        const pair = additions[removed];
        if (!pair || removed >= additionsMade) return undefined;
        removed += 1;
        const [a, b] = pair;
        return {
          request: { body: { friend_id: b }, token: tokenOf(a) },
          baseline: () => baselines.friendRemove(raw, tokenOf(a), b),
        };
      },
    },
    {
      name: 'friend search',
      functionName: 'friendSearch',
      module: '../functions/friend/search',
      expectStatus: 200,
      compare: true,
      call: (index) => {
        const keyword = usernameOf(ordinary(index * 101)).slice(0, 4);
        const token = tokenOf(ordinary(index));
        return {
          request: { method: 'GET', query: { keyword }, token },
          baseline: () => baselines.search(raw, token, keyword, 20),
        };
      },
    },
  ];
}

/** Messages: send, the read cases, mark_read. */
function messageCases(context: CaseContext): EndpointCase[] {
  const { data, raw, tag } = context;
  const pairs = ordinaryPairs(data);
  if (pairs.length < 4) throw new Error('too few friendships for the benchmark');
  // The first half: the HTTP stage sends with the second (in-process.ts fixtureOf).
  const sendPairs = pairs.slice(0, Math.floor(pairs.length / 2));
  const unread = conversationsOf(data, data.sender.length).filter(
    (row) =>
      row.unreadCount > 0 &&
      row.owner >= data.ordinaryFrom &&
      row.owner < data.reservedFrom &&
      row.peer >= data.ordinaryFrom &&
      row.peer < data.reservedFrom,
  );

  return [
    {
      name: 'send',
      functionName: 'messageSend',
      module: '../functions/message/send',
      expectStatus: 201,
      call: (index) => {
        // Rotating over many pairs keeps each sender far below its rate limit.
        const [a, b] = sendPairs[index % sendPairs.length] ?? [0, 0];
        const [from, to] = index % 2 === 0 ? [a, b] : [b, a];
        const input = {
          receiverId: to,
          content: contentOf(index),
          clientMsgId: `b${tag}-${index}`,
        };
        return {
          request: {
            body: { receiver_id: to, content: input.content, client_msg_id: input.clientMsgId },
            token: tokenOf(from),
          },
          baseline: () => baselines.send(raw, tokenOf(from), input),
        };
      },
    },
    ...messageReads(context),
    {
      name: 'mark_read',
      functionName: 'messageMarkRead',
      module: '../functions/message/mark-read',
      expectStatus: 200,
      call: (index) => {
        const row = unread[index];
        if (!row) return undefined;
        return {
          request: { body: { sender_id: row.peer }, token: tokenOf(row.owner) },
          baseline: () => baselines.markRead(raw, tokenOf(row.owner), row.peer),
        };
      },
    },
  ];
}

/** Every endpoint; within a group, each case finds what it needs (add before remove). */
export async function allCases(context: CaseContext): Promise<EndpointCase[]> {
  return [...(await accountCases(context)), ...friendCases(context), ...messageCases(context)];
}
