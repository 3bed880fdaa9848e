import type { ErrorCode } from '../errors';

/** Human texts: Chinese by default (the product's audience), English on request. */
export type Language = 'zh' | 'en';
export const languages: readonly Language[] = ['zh', 'en'];

type Texts = Record<Language, string>;

export const errorTexts: Record<ErrorCode, Texts> = {
  INVALID_JSON: { zh: '请求体必须是 JSON 对象', en: 'The request body must be a JSON object' },
  VALIDATION_ERROR: { zh: '请求参数无效', en: 'The request is invalid' },
  WRONG_PASSWORD: { zh: '原密码错误', en: 'The old password is wrong' },
  SAME_PASSWORD: {
    zh: '新密码不能与原密码相同',
    en: 'The new password must differ from the old one',
  },
  WEAK_PASSWORD: {
    zh: '密码过于常见，请换一个更难猜的密码',
    en: 'This password is too common: choose one that is harder to guess',
  },
  CANNOT_ADD_SELF: { zh: '不能添加自己为好友', en: 'You cannot add yourself as a friend' },
  CANNOT_MESSAGE_SELF: { zh: '不能给自己发送消息', en: 'You cannot send a message to yourself' },
  CANNOT_BLOCK_SELF: { zh: '不能拉黑自己', en: 'You cannot block yourself' },
  UNAUTHORIZED: { zh: '未登录或登录已失效', en: 'Missing, invalid or expired access token' },
  INVALID_CREDENTIALS: { zh: '用户名或密码错误', en: 'Wrong username or password' },
  NOT_FRIENDS: { zh: '对方不是你的好友', en: 'This user is not your friend' },
  BLOCKED: {
    zh: '你们之间存在拉黑关系，无法操作',
    en: 'One of you has blocked the other',
  },
  NOT_SENDER: { zh: '只能撤回自己发送的消息', en: 'Only the sender can recall a message' },
  RECALL_WINDOW_PASSED: {
    zh: '消息发送已超过可撤回时间',
    en: 'The message is too old to be recalled',
  },
  MESSAGE_NOT_FOUND: { zh: '消息不存在', en: 'Message not found' },
  CHAT_NOT_FOUND: { zh: '会话不存在', en: 'Chat not found' },
  NOT_FOUND: { zh: '请求的资源不存在', en: 'Not found' },
  USER_NOT_FOUND: { zh: '用户不存在', en: 'User not found' },
  FRIEND_NOT_FOUND: { zh: '好友关系不存在', en: 'Friendship not found' },
  METHOD_NOT_ALLOWED: {
    zh: '该路径不支持此请求方法',
    en: 'This method is not allowed on this path',
  },
  USERNAME_TAKEN: { zh: '用户名已被占用', en: 'This username is already taken' },
  EMAIL_TAKEN: { zh: '邮箱已被注册', en: 'This email is already registered' },
  ALREADY_FRIENDS: { zh: '你们已经是好友了', en: 'You are already friends' },
  FRIEND_LIMIT_REACHED: {
    zh: '好友数量已达上限（5000 人）',
    en: 'One of you already has 5,000 friends, the most allowed',
  },
  PAYLOAD_TOO_LARGE: {
    zh: '请求体过大（上限 64 KiB）',
    en: 'The request body is larger than 64 KiB',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    zh: '请求体必须使用 application/json',
    en: 'The request body must be sent as application/json',
  },
  RATE_LIMITED: { zh: '请求过于频繁，请稍后再试', en: 'Too many requests, please retry later' },
  INTERNAL_ERROR: { zh: '服务器内部错误', en: 'Internal server error' },
  SERVICE_UNAVAILABLE: {
    zh: '服务暂时不可用，请稍后再试',
    en: 'The service is temporarily unavailable, please retry later',
  },
};

/** Success texts, by key; handlers name the key, the HTTP layer picks the language. */
export const successTexts = {
  REGISTERED: { zh: '注册成功', en: 'Registered' },
  LOGGED_IN: { zh: '登录成功', en: 'Logged in' },
  PASSWORD_CHANGED: { zh: '密码修改成功', en: 'Password changed' },
  PROFILE: { zh: '获取用户信息成功', en: 'Profile' },
  TOKEN_REFRESHED: { zh: '令牌已刷新', en: 'Tokens refreshed' },
  LOGGED_OUT: { zh: '已退出登录', en: 'Logged out' },
  HEALTHY: { zh: '服务运行正常', en: 'Service is healthy' },
  FRIEND_ADDED: { zh: '添加好友成功', en: 'Friend added' },
  FRIEND_LIST: { zh: '获取好友列表成功', en: 'Friends' },
  FRIEND_REMOVED: { zh: '删除好友成功', en: 'Friend removed' },
  USER_SEARCH: { zh: '搜索成功', en: 'Search results' },
  MESSAGE_SENT: { zh: '消息发送成功', en: 'Message sent' },
  MESSAGE_ALREADY_SENT: {
    zh: '消息已发送（重复请求）',
    en: 'Message already sent (repeated request)',
  },
  MESSAGE_HISTORY: { zh: '获取聊天记录成功', en: 'Message history' },
  CHAT_LIST: { zh: '获取聊天列表成功', en: 'Chats' },
  LAST_MESSAGE: { zh: '获取最后一条消息成功', en: 'Last message' },
  MARKED_READ: { zh: '已标记为已读', en: 'Marked as read' },
  MESSAGE_UPDATES: { zh: '获取新消息成功', en: 'Message updates' },
  MESSAGE_RECALLED: { zh: '消息已撤回', en: 'Message recalled' },
  CHAT_SETTINGS_SAVED: { zh: '会话设置已保存', en: 'Chat settings saved' },
  USER_BLOCKED: { zh: '已拉黑该用户', en: 'User blocked' },
  USER_UNBLOCKED: { zh: '已取消拉黑', en: 'User unblocked' },
  BLOCKED_LIST: { zh: '获取黑名单成功', en: 'Blocked users' },
} satisfies Record<string, Texts>;

export type SuccessKey = keyof typeof successTexts;

/**
 * Field-level validation texts. Schemas put one of these keys in an issue's message;
 * anything else is a generic library message, already localized.
 */
export const fieldTexts = {
  REQUIRED: { zh: '必填', en: 'is required' },
  ID: { zh: '必须是正整数', en: 'must be a positive integer' },
  AFTER_ID: { zh: '必须是非负整数', en: 'must be a whole number, 0 or more' },
  USERNAME_FORMAT: {
    zh: '用户名须为 2-32 个字符，只能包含字母、数字、_、- 和 .',
    en: 'must be 2-32 characters of letters, digits, _, - and .',
  },
  USERNAME_MIXED_SCRIPTS: {
    zh: '用户名不能混用多种文字（如拉丁字母与西里尔字母）；汉字可与拉丁字母和数字同用',
    en: 'must not mix scripts (such as Latin and Cyrillic letters); Han may be combined with Latin letters and digits',
  },
  EMAIL_FORMAT: {
    zh: '邮箱格式无效（最多 254 个字符）',
    en: 'must be a valid email address of at most 254 characters',
  },
  PASSWORD_TOO_SHORT: { zh: '密码至少 8 个字符', en: 'must be at least 8 characters' },
  PASSWORD_TOO_LONG: {
    zh: '密码不能超过 72 字节（UTF-8）',
    en: 'must be at most 72 bytes in UTF-8',
  },
  NOT_BLANK: { zh: '不能为空', en: 'must not be empty' },
  PASSWORD_CONTROL: { zh: '密码不能包含控制字符', en: 'must not contain control characters' },
  NO_SURROUNDING_SPACE: {
    zh: '首尾不能有空白字符',
    en: 'must not start or end with whitespace',
  },
  LENGTH: { zh: '长度须为 {0}-{1} 个字符', en: 'must be {0}-{1} characters long' },
  INT_RANGE: { zh: '须为 {0} 到 {1} 之间的整数', en: 'must be a whole number from {0} to {1}' },
  ONE_OF: { zh: '须为以下之一：{0}', en: 'must be one of: {0}' },
  AT_LEAST_ONE: { zh: '至少提供以下之一：{0}', en: 'give at least one of: {0}' },
  BOOLEAN: { zh: '必须是 true 或 false', en: 'must be true or false' },
  CURSOR: { zh: '不是本接口返回的游标', en: 'is not a cursor this endpoint returned' },
  MEDIA_REFERENCE: {
    zh: '图片和文件消息的内容须为 https:// 地址（最多 2048 个字符，使用域名而非 IP 地址，不含用户名和密码）或存储键（1–512 个字母、数字或 /、_、.、-，不含 . 或 .. 路径段）',
    en: 'must be an https:// URL (at most 2048 characters, a host name rather than an IP address, no user name or password) or a storage key (1-512 letters, digits, /, _, . or -, no . or .. path segment) for an image or a file',
  },
  MALFORMED_TEXT: {
    zh: '包含无效的 Unicode 字符（孤立代理项）',
    en: 'contains invalid Unicode (an unpaired surrogate)',
  },
} satisfies Record<string, Texts>;

export type FieldTextKey = keyof typeof fieldTexts;

/** A schema message for `fieldText`: a key, then any values for its `{0}`, `{1}`… */
export function fieldMessage(key: FieldTextKey, ...values: (string | number)[]): string {
  return [key, ...values].join('|');
}

/** The text of a schema message in `language`; anything not made by fieldMessage as is. */
export function fieldText(message: string, language: Language): string {
  const [key = '', ...values] = message.split('|');
  if (!Object.hasOwn(fieldTexts, key)) return message;
  return fieldTexts[key as FieldTextKey][language].replace(
    /\{(\d)\}/g,
    (_, index: string) => values[Number(index)] ?? '',
  );
}
