/**
 * The API reference, generated from the code: every HTTP function and WebSocket route, as
 * their modules export them (`api`, `requestSchema`/`frameSchema`, `handler`). For
 * `npm run openapi` and the tests; no Lambda imports this (it loads every function).
 */
import { asyncApiDocument } from '../lib/api/asyncapi';
import { openApiDocument, type HttpEndpointModule } from '../lib/api/openapi';
import { version } from '../package.json';
import * as changePassword from '../functions/auth/change-password';
import * as login from '../functions/auth/login';
import * as logout from '../functions/auth/logout';
import * as profile from '../functions/auth/profile';
import * as refresh from '../functions/auth/refresh';
import * as register from '../functions/auth/register';
import * as docsAsset from '../functions/docs/asset';
import * as docsAsyncapi from '../functions/docs/asyncapi';
import * as docsOpenapi from '../functions/docs/openapi';
import * as docsPage from '../functions/docs/page';
import * as friendAdd from '../functions/friend/add';
import * as friendBlock from '../functions/friend/block';
import * as friendBlocked from '../functions/friend/blocked';
import * as friendList from '../functions/friend/list';
import * as friendRemove from '../functions/friend/remove';
import * as friendSearch from '../functions/friend/search';
import * as friendUnblock from '../functions/friend/unblock';
import * as messageChatSettings from '../functions/message/chat-settings';
import * as messageChats from '../functions/message/chats';
import * as messageHistory from '../functions/message/history';
import * as messageLast from '../functions/message/last';
import * as messageMarkRead from '../functions/message/mark-read';
import * as messageRecall from '../functions/message/recall';
import * as messageSend from '../functions/message/send';
import * as messageUpdates from '../functions/message/updates';
import * as health from '../functions/system/health';
import * as wsConnect from '../functions/ws/connect';
import * as wsDefault from '../functions/ws/default';
import * as wsPing from '../functions/ws/ping';
import * as wsTyping from '../functions/ws/typing';
import * as demo from '../functions/web/demo';

/** The try-it chat page (described here: its module is the page, not an API endpoint). */
const demoPage: HttpEndpointModule = {
  handler: demo.handler,
  api: {
    method: 'GET',
    path: '/demo',
    tag: 'Reference',
    summary: 'The try-it chat page',
    description:
      'Register or sign in, add a friend and chat, with live messages, read receipts and typing over the WebSocket. It uses only this public API: a reference client to read.',
    document: { description: 'The page.', contentTypes: ['text/html'] },
  },
};

/** Every HTTP function, in the reference's order (grouped by tag there). */
export const httpEndpoints: readonly HttpEndpointModule[] = [
  register,
  login,
  refresh,
  profile,
  changePassword,
  logout,
  friendAdd,
  friendList,
  friendSearch,
  friendRemove,
  friendBlock,
  friendUnblock,
  friendBlocked,
  messageSend,
  messageHistory,
  messageChats,
  messageLast,
  messageMarkRead,
  messageUpdates,
  messageRecall,
  messageChatSettings,
  health,
  docsPage,
  docsAsset,
  docsOpenapi,
  docsAsyncapi,
  demoPage,
];

export const wsModules = {
  connect: wsConnect,
  routes: [wsPing, wsTyping],
  fallback: wsDefault,
};

export function openApi() {
  return openApiDocument(httpEndpoints, { version });
}

export function asyncApi() {
  return asyncApiDocument(wsModules, { version });
}

/** How the documents are written to the repository (openapi.json, asyncapi.json). */
export function documentText(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
