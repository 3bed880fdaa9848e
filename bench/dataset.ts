/**
 * The benchmark's data, generated deterministically (same scale, same rows) and held in
 * typed arrays, so a million messages cost a few megabytes before they are inserted.
 *
 * Shape: `users` users with `friendships` random friendships; messages spread over a
 * subset of friendships with a heavy tail (a few pairs talk a lot, most a little),
 * interleaved in time. A handful of "readers" own a fixed slice of the data (one long
 * conversation and a few short ones) that does not change when the rest grows, so the
 * scaling runs compare the same request on a table of 12,000 and of 1,000,000 messages.
 * One more user owns a fixed slice too: many chats (2,000 by default), one message each,
 * some pinned, muted or hidden, for a chat list whose page is a sliver of the whole.
 */

import type { Scale } from './options';

export interface Reader {
  userId: number;
  /** The friend of the long conversation. */
  partnerId: number;
}

/** A chat's settings, as its owner set them. */
export interface ChatFlags {
  pinned: boolean;
  muted: boolean;
  hidden: boolean;
}

/** The user with many chats: one message with each peer, some chats pinned, muted, hidden. */
export interface ManyChatsUser {
  userId: number;
  /** One chat each. */
  peers: number[];
  /** The user's settings on its chats, by peer; a chat not listed has none set. */
  settings: Map<number, ChatFlags>;
}

export interface Dataset {
  users: number;
  /** Friendships as ordered pairs (low < high). */
  friendLow: Int32Array;
  friendHigh: Int32Array;
  readers: Reader[];
  /** Chats each reader has: the long conversation and the short ones. */
  readerChats: number;
  manyChats: ManyChatsUser;
  /** Message i has id i + 1; the first `phaseOneMessages` exist at the low scaling point. */
  sender: Int32Array;
  receiver: Int32Array;
  unread: Uint8Array;
  phaseOneMessages: number;
  /** Messages in each reader's long conversation. */
  longConversation: number;
  /** The first user with no part in the readers' or the many-chats user's own data. */
  ordinaryFrom: number;
  /** Users from here on only the destructive change_password run may use. */
  reservedFrom: number;
}

/** mulberry32: small, fast, good enough to spread benchmark data. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const syllables = ['ka', 'mi', 'ro', 'la', 'ne', 'to', 'sa', 'yu', 'be', 'ri', 'zo', 'an'];

/** `kamiro42`: pronounceable, unique by id, lower case so it is its own username key. */
export function usernameOf(id: number): string {
  let name = '';
  for (let rest = id * 7919, count = 0; count < 3; count += 1, rest = Math.floor(rest / 12)) {
    name += syllables[rest % 12];
  }
  return `${name}${id}`;
}

const phrases = [
  'on my way',
  'see you at 7?',
  'did you get the file I sent yesterday',
  'haha 😂',
  '好的，明天见',
  'can you review the draft before the meeting, there are a few open questions left',
  'ok',
  'lunch? 🍜',
  'the build is green again',
  'sent you the photos from the trip ✈️',
];

/** The text of message `index`: varied lengths, some emoji and CJK. */
export function contentOf(index: number): string {
  return `${phrases[index % phrases.length]} (${index})`;
}

const key = (a: number, b: number) => (a < b ? a * 4194304 + b : b * 4194304 + a);

/** Unique random friendships; `taken` holds pairs already chosen. */
function addRandomFriendships(
  target: number,
  users: number,
  next: () => number,
  taken: Set<number>,
  pairs: [number, number][],
): void {
  while (pairs.length < target) {
    const a = 1 + Math.floor(next() * users);
    const b = 1 + Math.floor(next() * users);
    if (a === b || taken.has(key(a, b))) continue;
    taken.add(key(a, b));
    pairs.push(a < b ? [a, b] : [b, a]);
  }
}

/** Cumulative Zipf-like weights (exponent 0.8) over `count` conversations. */
function cumulativeWeights(count: number): Float64Array {
  const cumulative = new Float64Array(count);
  let sum = 0;
  for (let rank = 0; rank < count; rank += 1) {
    sum += (rank + 1) ** -0.8;
    cumulative[rank] = sum;
  }
  return cumulative.map((value) => value / sum);
}

function pick(cumulative: Float64Array, u: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((cumulative[middle] ?? 1) < u) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function generateDataset(scale: Scale): Dataset {
  const next = random(20261124);
  const {
    users,
    readers: readerCount,
    longConversation,
    shortConversations,
    shortLength,
  } = {
    users: scale.users,
    ...scale.readers,
  };
  const taken = new Set<number>();
  const pairs: [number, number][] = [];
  const readers: Reader[] = [];
  // Reader i is user i + 1, its partner the next block of ids; their short-conversation
  // friends come from the block after that, so reader data never overlaps.
  const firstShortFriend = 2 * readerCount + 1;
  const fixedMessages: [number, number][] = [];
  const unreadFixedMessages = new Set<number>();
  for (let index = 0; index < readerCount; index += 1) {
    const reader = { userId: index + 1, partnerId: readerCount + index + 1 };
    readers.push(reader);
    const friends = [reader.partnerId];
    for (let short = 0; short < shortConversations; short += 1) {
      friends.push(firstShortFriend + index * shortConversations + short);
    }
    for (const friend of friends) {
      taken.add(key(reader.userId, friend));
      pairs.push([reader.userId, friend]);
      const length = friend === reader.partnerId ? longConversation : shortLength;
      for (let position = 0; position < length; position += 1) {
        const fromReader = next() < 0.5;
        // The newest few messages to the reader are unread, as in a real inbox.
        if (!fromReader && position >= length - 3) unreadFixedMessages.add(fixedMessages.length);
        fixedMessages.push(fromReader ? [reader.userId, friend] : [friend, reader.userId]);
      }
    }
  }
  // The many-chats user follows the readers' block. Its peers are ordinary users spread over
  // their range: they have other friends and messages too, but none in this user's chats.
  const manyChats: ManyChatsUser = {
    userId: firstShortFriend + readerCount * shortConversations,
    peers: [],
    settings: new Map(),
  };
  const ordinaryFrom = manyChats.userId + 1;
  const reservedFrom = users - scale.reservedUsers + 1;
  if (scale.manyChats > reservedFrom - ordinaryFrom) throw new Error('too few users for the chats');
  for (let chat = 0; chat < scale.manyChats; chat += 1) {
    const peer =
      ordinaryFrom + Math.floor((chat * (reservedFrom - ordinaryFrom)) / scale.manyChats);
    manyChats.peers.push(peer);
    taken.add(key(manyChats.userId, peer));
    pairs.push([manyChats.userId, peer]);
    const fromPeer = next() < 0.5;
    const unread = next() < 0.5;
    if (fromPeer && unread) unreadFixedMessages.add(fixedMessages.length);
    fixedMessages.push(fromPeer ? [peer, manyChats.userId] : [manyChats.userId, peer]);
    // Every 250th chat pinned (8 of 2,000), about one in five muted and one in seven hidden,
    // independently; the second pinned chat is hidden too (it must stay out of the list).
    const muted = next() < 0.2;
    const hidden = next() < 0.15 || chat === 250;
    const settings = { pinned: chat % 250 === 0, muted, hidden };
    if (settings.pinned || settings.muted || settings.hidden) {
      manyChats.settings.set(peer, settings);
    }
  }
  const firstFillerPair = pairs.length;
  addRandomFriendships(scale.friendships, users, next, taken, pairs);

  // Conversations for the filler: friendships away from the fixed slices and reserved users.
  const talking = pairs
    .slice(firstFillerPair)
    .filter(([a, b]) => a >= ordinaryFrom && b < reservedFrom)
    .slice(0, Math.max(1, Math.floor(scale.messages.full / 20)));
  const cumulative = cumulativeWeights(talking.length);

  const total = scale.messages.full;
  const sender = new Int32Array(total);
  const receiver = new Int32Array(total);
  const unread = new Uint8Array(total);
  const fillerInPhaseOne = scale.messages.low - fixedMessages.length;
  if (fillerInPhaseOne < 0) throw new Error('the fixed slices do not fit the low scaling point');

  // Phase one: the fixed slices' messages shuffled in among the first filler messages.
  const slots = new Int32Array(scale.messages.low);
  for (let index = 0; index < slots.length; index += 1) {
    slots[index] = index < fixedMessages.length ? index : -1;
  }
  for (let index = slots.length - 1; index > 0; index -= 1) {
    const other = Math.floor(next() * (index + 1));
    [slots[index], slots[other]] = [slots[other] ?? -1, slots[index] ?? -1];
  }
  const lastPosition = new Map<number, number[]>();
  for (let index = 0; index < total; index += 1) {
    const slot = index < slots.length ? (slots[index] ?? -1) : -1;
    let from: number;
    let to: number;
    if (slot >= 0) {
      [from, to] = fixedMessages[slot] ?? [0, 0];
      if (unreadFixedMessages.has(slot)) unread[index] = 1;
    } else {
      const [a, b] = talking[pick(cumulative, next())] ?? [0, 0];
      [from, to] = next() < 0.5 ? [a, b] : [b, a];
      // Remember each filler conversation's newest messages: they end up unread.
      const recent = lastPosition.get(key(a, b)) ?? [];
      recent.push(index);
      if (recent.length > 3) recent.shift();
      lastPosition.set(key(a, b), recent);
    }
    sender[index] = from;
    receiver[index] = to;
  }
  for (const recent of lastPosition.values()) {
    for (const index of recent) if (next() < 0.6) unread[index] = 1;
  }

  const friendLow = Int32Array.from(pairs, ([a]) => a);
  const friendHigh = Int32Array.from(pairs, ([, b]) => b);
  return {
    users,
    friendLow,
    friendHigh,
    readers,
    readerChats: 1 + shortConversations,
    manyChats,
    sender,
    receiver,
    unread,
    phaseOneMessages: scale.messages.low,
    longConversation,
    ordinaryFrom,
    reservedFrom,
  };
}

export interface ConversationSummary {
  owner: number;
  peer: number;
  lastMessageId: number;
  unreadCount: number;
  messageCount: number;
  /** The owner's settings on the chat (only the many-chats user has any). */
  pinned: boolean;
  muted: boolean;
  hidden: boolean;
}

/** The chat-list rows (both owners of each conversation) for the first `count` messages. */
export function conversationsOf(data: Dataset, count: number): ConversationSummary[] {
  const byPair = new Map<number, ConversationSummary[]>();
  for (let index = 0; index < count; index += 1) {
    const from = data.sender[index] ?? 0;
    const to = data.receiver[index] ?? 0;
    let rows = byPair.get(key(from, to));
    if (!rows) {
      const empty = (owner: number, peer: number): ConversationSummary => ({
        owner,
        peer,
        lastMessageId: 0,
        unreadCount: 0,
        messageCount: 0,
        pinned: false,
        muted: false,
        hidden: false,
        ...(owner === data.manyChats.userId ? data.manyChats.settings.get(peer) : undefined),
      });
      rows = [empty(from, to), empty(to, from)];
      byPair.set(key(from, to), rows);
    }
    for (const row of rows) {
      row.lastMessageId = index + 1;
      row.messageCount += 1;
      if (row.owner === to && data.unread[index] === 1) row.unreadCount += 1;
    }
  }
  return [...byPair.values()].flat();
}

/**
 * What the chat list should show `owner` at the first `count` messages: its visible chats,
 * pinned first, each group newest first, the first `limit`; and its unread messages outside
 * muted chats (hidden ones count).
 */
export function chatListOf(
  data: Dataset,
  owner: number,
  count: number,
  limit: number,
): { chats: ConversationSummary[]; totalUnread: number } {
  const rows = conversationsOf(data, count).filter((row) => row.owner === owner);
  const chats = rows
    .filter((row) => !row.hidden)
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.lastMessageId - a.lastMessageId)
    .slice(0, limit);
  const totalUnread = rows.reduce((sum, row) => sum + (row.muted ? 0 : row.unreadCount), 0);
  return { chats, totalUnread };
}
