import { chatListOf, conversationsOf, generateDataset, usernameOf } from './dataset';
import { scales } from './options';

const scale = scales.small;
const data = generateDataset(scale);

it('has the users, friendships and messages of its scale, the same on every run', () => {
  expect(data.users).toBe(scale.users);
  expect(data.friendLow).toHaveLength(scale.friendships);
  expect(data.sender).toHaveLength(scale.messages.full);
  expect(data.phaseOneMessages).toBe(scale.messages.low);
  const again = generateDataset(scale);
  expect(again.sender).toEqual(data.sender);
  expect(again.unread).toEqual(data.unread);
});

it('stores every friendship once, ordered, between real users', () => {
  const seen = new Set<string>();
  for (let index = 0; index < data.friendLow.length; index += 1) {
    const low = data.friendLow[index] ?? 0;
    const high = data.friendHigh[index] ?? 0;
    expect(low).toBeGreaterThanOrEqual(1);
    expect(high).toBeLessThanOrEqual(scale.users);
    expect(low).toBeLessThan(high);
    seen.add(`${low}:${high}`);
  }
  expect(seen.size).toBe(data.friendLow.length);
});

it('sends messages only between friends, never to oneself', () => {
  const friends = new Set<string>();
  data.friendLow.forEach((low, index) => friends.add(`${low}:${data.friendHigh[index]}`));
  for (let index = 0; index < data.sender.length; index += 1) {
    const from = data.sender[index] ?? 0;
    const to = data.receiver[index] ?? 0;
    expect(from).not.toBe(to);
    expect(friends.has(`${Math.min(from, to)}:${Math.max(from, to)}`)).toBe(true);
  }
});

it('keeps the readers’ data inside the low scaling point and the same at full size', () => {
  for (const reader of data.readers) {
    const inConversation = (index: number) =>
      [data.sender[index], data.receiver[index]].includes(reader.userId);
    let count = 0;
    for (let index = 0; index < data.sender.length; index += 1) {
      if (!inConversation(index)) continue;
      expect(index).toBeLessThan(data.phaseOneMessages);
      count += 1;
    }
    const { longConversation, shortConversations, shortLength } = scale.readers;
    expect(count).toBe(longConversation + shortConversations * shortLength);
  }
});

it('gives the many-chats user its chats, one message each, inside the low scaling point', () => {
  const { userId, peers } = data.manyChats;
  expect(peers).toHaveLength(scale.manyChats);
  expect(new Set(peers).size).toBe(peers.length);
  // Its own id block: no reader's, and its peers' ids are ordinary, never reserved.
  expect(userId).toBeLessThan(data.ordinaryFrom);
  expect(data.readers.flatMap((r) => [r.userId, r.partnerId])).not.toContain(userId);
  for (const peer of peers) {
    expect(peer).toBeGreaterThanOrEqual(data.ordinaryFrom);
    expect(peer).toBeLessThan(data.reservedFrom);
  }
  const own = (rows: ReturnType<typeof conversationsOf>) =>
    rows.filter((row) => row.owner === userId);
  const atLow = own(conversationsOf(data, data.phaseOneMessages));
  expect(atLow).toHaveLength(scale.manyChats);
  expect(atLow.every((row) => row.messageCount === 1)).toBe(true);
  // Nothing of it arrives later: its chats are the same at both scaling points.
  expect(own(conversationsOf(data, data.sender.length))).toEqual(atLow);
});

it('sets some of its chats pinned, muted and hidden, and only its own', () => {
  const rows = conversationsOf(data, data.phaseOneMessages);
  const own = rows.filter((row) => row.owner === data.manyChats.userId);
  const share = (flag: 'pinned' | 'muted' | 'hidden') =>
    own.filter((row) => row[flag]).length / own.length;
  expect(own.filter((row) => row.pinned)).toHaveLength(Math.ceil(scale.manyChats / 250));
  expect(share('muted')).toBeGreaterThan(0.1);
  expect(share('muted')).toBeLessThan(0.3);
  expect(share('hidden')).toBeGreaterThan(0.07);
  expect(share('hidden')).toBeLessThan(0.25);
  expect(own.some((row) => row.muted && row.unreadCount > 0)).toBe(true);
  expect(own.some((row) => row.pinned && row.hidden)).toBe(true);
  const others = rows.filter((row) => row.owner !== data.manyChats.userId);
  expect(others.some((row) => row.pinned || row.muted || row.hidden)).toBe(false);
  // The same settings on every run.
  expect(generateDataset(scale).manyChats).toEqual(data.manyChats);
});

it('lists its chats pinned first, newest first, hidden left out, at one page', () => {
  const { userId } = data.manyChats;
  const page = data.readerChats;
  expect(page).toBe(scale.readers.shortConversations + 1);
  const { chats, totalUnread } = chatListOf(data, userId, data.phaseOneMessages, page);
  expect(chats).toHaveLength(page);
  expect(chats.some((row) => row.hidden)).toBe(false);
  const pinned = chats.filter((row) => row.pinned).length;
  // The page shows both groups: some pinned chats, then the newest of the rest.
  expect(pinned).toBeGreaterThan(0);
  expect(pinned).toBeLessThan(page);
  expect(chats.slice(0, pinned).every((row) => row.pinned)).toBe(true);
  for (const group of [chats.slice(0, pinned), chats.slice(pinned)]) {
    const ids = group.map((row) => row.lastMessageId);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  }
  expect(chats.some((row) => row.muted)).toBe(true);
  // Unread messages outside muted chats, hidden ones included.
  const own = conversationsOf(data, data.phaseOneMessages).filter((row) => row.owner === userId);
  const unmuted = own.filter((row) => !row.muted);
  expect(totalUnread).toBe(unmuted.reduce((sum, row) => sum + row.unreadCount, 0));
  expect(totalUnread).toBeLessThan(own.reduce((sum, row) => sum + row.unreadCount, 0));
  expect(unmuted.some((row) => row.hidden && row.unreadCount > 0)).toBe(true);
});

it('fits the default scale: 2,000 chats beside the readers in the low point', () => {
  const full = generateDataset(scales.default);
  expect(full.manyChats.peers).toHaveLength(2_000);
  expect(full.readerChats).toBe(20);
  const { chats } = chatListOf(full, full.manyChats.userId, full.phaseOneMessages, 20);
  expect(chats.filter((row) => row.pinned).length).toBeGreaterThan(0);
  expect(chats.filter((row) => row.pinned).length).toBeLessThan(20);
});

it('gives a few heavy conversations and many light ones', () => {
  const rows = conversationsOf(data, data.sender.length).filter((row) => row.owner < row.peer);
  const sizes = rows.map((row) => row.messageCount).sort((a, b) => b - a);
  const median = sizes[Math.floor(sizes.length / 2)] ?? 0;
  expect(sizes[0]).toBeGreaterThan(10 * median);
});

it('builds chat-list rows that agree with the messages', () => {
  const rows = conversationsOf(data, data.phaseOneMessages);
  for (const row of rows.slice(0, 200)) {
    let messages = 0;
    let unread = 0;
    let last = 0;
    for (let index = 0; index < data.phaseOneMessages; index += 1) {
      const from = data.sender[index];
      const to = data.receiver[index];
      const between =
        (from === row.owner && to === row.peer) || (from === row.peer && to === row.owner);
      if (!between) continue;
      messages += 1;
      last = index + 1;
      if (to === row.owner && data.unread[index] === 1) unread += 1;
    }
    expect(row).toMatchObject({ messageCount: messages, unreadCount: unread, lastMessageId: last });
  }
});

it('makes usernames the service accepts, unique by id', () => {
  const names = new Set<string>();
  for (let id = 1; id <= scale.users; id += 1) {
    const name = usernameOf(id);
    expect(name).toMatch(/^[a-z0-9]{2,32}$/);
    names.add(name);
  }
  expect(names.size).toBe(scale.users);
});
