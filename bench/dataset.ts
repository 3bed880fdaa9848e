/**
 * The benchmark's data, generated deterministically (same scale, same rows) and held in
 * typed arrays, so a million messages cost a few megabytes before they are inserted.
 *
 * Shape: `users` users with `friendships` random friendships; messages spread over a
 * subset of friendships with a heavy tail (a few pairs talk a lot, most a little),
 * interleaved in time. A handful of "readers" own a fixed slice of the data (one long
 * conversation and a few short ones) that does not change when the rest grows, so the
 * scaling runs compare the same request on a table of 10,000 and of 1,000,000 messages.
 */

import type { Scale } from './options';

export interface Reader {
  userId: number;
  /** The friend of the long conversation. */
  partnerId: number;
}

export interface Dataset {
  users: number;
  /** Friendships as ordered pairs (low < high). */
  friendLow: Int32Array;
  friendHigh: Int32Array;
  readers: Reader[];
  /** Message i has id i + 1; the first `phaseOneMessages` exist at the low scaling point. */
  sender: Int32Array;
  receiver: Int32Array;
  unread: Uint8Array;
  phaseOneMessages: number;
  /** Messages in each reader's long conversation. */
  longConversation: number;
  /** The first user with no part in the readers' data. */
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
  const readerMessages: [number, number][] = [];
  const unreadReaderMessages = new Set<number>();
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
        if (!fromReader && position >= length - 3) unreadReaderMessages.add(readerMessages.length);
        readerMessages.push(fromReader ? [reader.userId, friend] : [friend, reader.userId]);
      }
    }
  }
  const reservedFrom = users - scale.reservedUsers + 1;
  const readerBlockEnd = firstShortFriend + readerCount * shortConversations;
  const firstFillerPair = pairs.length;
  addRandomFriendships(scale.friendships, users, next, taken, pairs);

  // Conversations for the filler: friendships away from reader and reserved users.
  const talking = pairs
    .slice(firstFillerPair)
    .filter(([a, b]) => a >= readerBlockEnd && b < reservedFrom)
    .slice(0, Math.max(1, Math.floor(scale.messages.full / 20)));
  const cumulative = cumulativeWeights(talking.length);

  const total = scale.messages.full;
  const sender = new Int32Array(total);
  const receiver = new Int32Array(total);
  const unread = new Uint8Array(total);
  const fillerInPhaseOne = scale.messages.low - readerMessages.length;
  if (fillerInPhaseOne < 0) throw new Error('reader data does not fit the low scaling point');

  // Phase one: reader messages shuffled in among the first filler messages.
  const slots = new Int32Array(scale.messages.low);
  for (let index = 0; index < slots.length; index += 1) {
    slots[index] = index < readerMessages.length ? index : -1;
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
      [from, to] = readerMessages[slot] ?? [0, 0];
      if (unreadReaderMessages.has(slot)) unread[index] = 1;
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
    sender,
    receiver,
    unread,
    phaseOneMessages: scale.messages.low,
    longConversation,
    ordinaryFrom: readerBlockEnd,
    reservedFrom,
  };
}

export interface ConversationSummary {
  owner: number;
  peer: number;
  lastMessageId: number;
  unreadCount: number;
  messageCount: number;
}

/** The chat-list rows (both owners of each conversation) for the first `count` messages. */
export function conversationsOf(data: Dataset, count: number): ConversationSummary[] {
  const byPair = new Map<number, ConversationSummary[]>();
  for (let index = 0; index < count; index += 1) {
    const from = data.sender[index] ?? 0;
    const to = data.receiver[index] ?? 0;
    let rows = byPair.get(key(from, to));
    if (!rows) {
      const empty = (owner: number, peer: number) => ({
        owner,
        peer,
        lastMessageId: 0,
        unreadCount: 0,
        messageCount: 0,
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
