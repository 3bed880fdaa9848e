import { eitherBlocks } from '../blocks';
import { getDb } from '../db/connection';
import { AppError } from '../errors';
import { areFriends } from '../friends';
import type { TypingState } from './events';
import { publish } from './publish';

/**
 * Tells a friend that `fromId` started or stopped typing to them. Only friends hear it:
 * anyone else (a stranger, an unknown id, oneself) is NOT_FRIENDS, so the frame reveals
 * nothing about who exists. Between users where either blocks the other it is dropped
 * without a word.
 */
export async function sendTyping(fromId: number, toId: number, state: TypingState): Promise<void> {
  const db = await getDb();
  if (fromId === toId || !(await areFriends(db, fromId, toId))) {
    throw new AppError('NOT_FRIENDS');
  }
  if (await eitherBlocks(db, fromId, toId)) return;
  await publish({ to: [toId], event: { type: 'typing', data: { from: fromId, state } } });
}
