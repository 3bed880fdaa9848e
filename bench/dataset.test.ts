import { conversationsOf, generateDataset, usernameOf } from './dataset';
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
