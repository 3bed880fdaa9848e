import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ScheduledEvent } from 'aws-lambda';
import { build } from 'esbuild';
import * as z from 'zod';
import { esbuildOptions } from '../esbuild.config.cjs';
import { httpEvent, type InvokeOptions } from '../test/helpers/invoke';
import { connectionId, wsEvent } from '../test/helpers/ws';
import type { BenchFixture, ColdStartResult } from './types';

/**
 * Cold start of every function in serverless.yml: each is bundled exactly as deployed
 * (esbuild.config.cjs), then a fresh `node` process loads the bundle and invokes it twice
 * with the event its trigger sends (an HTTP API request, a WebSocket route's event, a
 * scheduled event), a request that reaches the database where the function has one
 * (bench/cold-start-probe.cjs).
 */

const projectRoot = join(__dirname, '..');
// In the project, so bundles resolve the unbundled SQLite driver; `.esbuild*` folders are
// ignored by git, ESLint and Prettier alike.
const bundleRoot = join(projectRoot, '.esbuild-cold-start');
const probeScript = join(__dirname, 'cold-start-probe.cjs');
/** A probe that has not answered by then is stuck (a database that does not answer). */
const PROBE_TIMEOUT_MS = 60_000;

/** What invokes a function: its first event in serverless.yml. */
type Trigger =
  | {
      kind: 'http';
      method: NonNullable<InvokeOptions['method']>;
      path: string;
      /** The catch-all route (`httpApi: '*'`): API Gateway's route key is `$default`. */
      catchAll?: boolean;
    }
  | { kind: 'websocket'; route: string }
  | { kind: 'schedule' }
  /** No event source: invoked directly (`serverless invoke`), as the migrate function is. */
  | { kind: 'invoke' };

/** A function as serverless.yml declares it. */
interface LambdaFunction {
  name: string;
  /** The source file, relative to the project root. */
  source: string;
  /** The handler's export name. */
  exportName: string;
  trigger: Trigger;
}

const httpMethod = z
  .string()
  .transform((method) => method.toUpperCase())
  .pipe(z.enum(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']));

const functionEvent = z.union([
  z.object({ httpApi: z.object({ method: httpMethod, path: z.string() }) }),
  z.object({ httpApi: z.literal('*') }),
  z.object({ websocket: z.object({ route: z.string() }) }),
  z.object({ schedule: z.unknown() }),
]);

const serverlessYml = z.object({
  provider: z.object({ environment: z.record(z.string(), z.unknown()).default({}) }),
  functions: z.record(
    z.string(),
    z.object({ handler: z.string(), events: z.array(functionEvent).default([]) }),
  ),
});

type ServerlessYml = z.infer<typeof serverlessYml>;

/**
 * serverless.yml, parsed as serverless itself reads it: its js-yaml with its CloudFormation
 * schema, so `!Ref`, `!Join`, `!Sub`, `!GetAtt`… load as plain data (`{ Ref: … }`).
 */
function readServerlessYml(): ServerlessYml {
  const serverlessRequire = createRequire(
    join(projectRoot, 'node_modules/serverless/package.json'),
  );
  const yaml = serverlessRequire('js-yaml') as {
    load: (text: string, options: { schema: unknown }) => unknown;
  };
  // osls keeps the schema in its own tree (Serverless v3 took it from @serverless/utils).
  const schema: unknown = serverlessRequire('./lib/utils/serverless-utils/cloudformation-schema');
  return serverlessYml.parse(
    yaml.load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8'), { schema }),
  );
}

function triggerOf(event: z.infer<typeof functionEvent> | undefined): Trigger {
  if (event === undefined) return { kind: 'invoke' };
  if ('httpApi' in event && event.httpApi === '*') {
    return { kind: 'http', method: 'GET', path: '/api/no-such-path', catchAll: true };
  }
  if ('httpApi' in event && typeof event.httpApi === 'object') {
    return { kind: 'http', ...event.httpApi };
  }
  if ('websocket' in event) return { kind: 'websocket', route: event.websocket.route };
  return { kind: 'schedule' };
}

function lambdaFunctions(config: ServerlessYml): LambdaFunction[] {
  return Object.entries(config.functions).map(([name, { handler, events }]) => {
    const [event] = events;
    const modulePath = handler.slice(0, handler.lastIndexOf('.'));
    const source = ['.ts', '.js']
      .map((extension) => modulePath + extension)
      .find((file) => existsSync(join(projectRoot, file)));
    if (!source) throw new Error(`serverless.yml: no source file for handler ${handler}`);
    const exportName = handler.slice(handler.lastIndexOf('.') + 1);
    return { name, source, exportName, trigger: triggerOf(event) };
  });
}

/**
 * What Lambda runs a function with, as far as serverless.yml fixes it (NODE_OPTIONS with
 * source maps, the Powertools service name); `${...}` values are the fixture's business.
 */
function fixedEnvironment(config: ServerlessYml): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config.provider.environment).filter(
      (entry): entry is [string, string] =>
        typeof entry[1] === 'string' && !entry[1].includes('${'),
    ),
  );
}

/** Bundles one function into the bundle folder: the bundle's path and size in bytes. */
async function bundle(fn: LambdaFunction): Promise<{ file: string; bytes: number }> {
  const result = await build({
    ...esbuildOptions,
    absWorkingDir: projectRoot,
    entryPoints: [fn.source],
    outdir: join(bundleRoot, dirname(fn.source)),
    metafile: true,
    logLevel: 'warning',
  });
  // Kept to see what a bundle holds: https://esbuild.github.io/analyze/ reads it.
  writeFileSync(join(bundleRoot, `${fn.name}.meta.json`), JSON.stringify(result.metafile));
  const output = Object.entries(result.metafile.outputs).find(([, out]) => out.entryPoint);
  if (!output) throw new Error(`esbuild produced no bundle for ${fn.source}`);
  return { file: join(projectRoot, output[0]), bytes: output[1].bytes };
}

/**
 * One invocation of a function, and the answer it must get. HTTP API: `body`, `query`,
 * `pathParameters`, `headers` and `token` make the request. WebSocket API: it comes on
 * `connectionId`; `body` is the frame (an object is sent as JSON), `query` and `headers`
 * are $connect's handshake. A scheduled function gets a scheduled event.
 */
interface Call {
  body?: unknown;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  token?: string;
  connectionId?: string;
  /** The status it must answer (HTTP and WebSocket); a scheduled function answers none. */
  status?: number;
  /**
   * The error code of a 4xx answer, or of a WebSocket `error` frame: proves the request got
   * past validation (to the database, where the function has one).
   */
  code?: string;
  /** WebSocket: the type of the frame the route answers with; without it, no frame. */
  frame?: string;
  /** Scheduled: the result must be an object with these keys, each a count. */
  report?: readonly string[];
}

/** What the calls of one run share: they are made just before their function's probe. */
interface Run {
  fixture: BenchFixture;
  /**
   * WebSocket connections of the reader: wsConnect stores them, the frame routes arrive on
   * the first, wsDisconnect forgets both.
   */
  connections: [string, string];
  /** The bodies each function measured so far answered (first and second call). */
  answers: Map<string, [string | undefined, string | undefined]>;
}

/** Names no user has: 48 random bits. */
const unique = () => randomBytes(6).toString('hex');

function registration(): Call {
  const username = `cold_${unique()}`;
  return {
    body: { username, email: `${username}@bench.example`, password: 'cold-start-password' },
    status: 201,
  };
}

function twice(call: Call): [Call, Call] {
  return [call, call];
}

function unknownRefreshToken(): Call {
  return {
    body: { refresh_token: randomBytes(32).toString('base64url') },
    status: 401,
    code: 'UNAUTHORIZED',
  };
}

function nobodyToAdd(token: string): Call {
  return {
    token,
    body: { friend_username: `nobody-${unique()}` },
    status: 404,
    code: 'USER_NOT_FOUND',
  };
}

/** Logout ends a session: each call takes its own disposable token while there are some. */
function logouts(fixture: BenchFixture): [Call, Call] {
  const [first, second] = fixture.disposableTokens;
  if (first === undefined) throw new Error('cold start: the fixture has no disposable tokens');
  return [
    { token: first, status: 200 },
    second === undefined
      ? { token: first, status: 401, code: 'UNAUTHORIZED' }
      : { token: second, status: 200 },
  ];
}

function firstSender(fixture: BenchFixture): BenchFixture['senders'][number] {
  const sender = fixture.senders[0];
  if (!sender) throw new Error('cold start: the fixture has no senders');
  return sender;
}

/**
 * Two users the reader has nothing to do with: senders' receivers are ordinary users, never
 * a reader's friends.
 */
function strangers(fixture: BenchFixture): [number, number] {
  const [first, second] = fixture.senders;
  if (!first || !second) throw new Error('cold start: the fixture has fewer than two senders');
  return [first.receiverId, second.receiverId];
}

/** The reader blocks or unblocks a user (the route says which). */
function block({ reader }: BenchFixture, userId: number): Call {
  return { token: reader.token, body: { user_id: userId }, status: 200 };
}

/** The ids of the two messages messageSend's calls sent (from their answers). */
function sentMessageIds(run: Run): [number, number] {
  const ids = (run.answers.get('messageSend') ?? []).map((body) => {
    const parsed = z
      .object({ data: z.object({ message: z.object({ id: z.number() }) }) })
      .safeParse(JSON.parse(body ?? 'null'));
    return parsed.success ? parsed.data.data.message.id : undefined;
  });
  const [first, second] = ids;
  if (first === undefined || second === undefined) {
    throw new Error('cold start: messageSend answered no message ids');
  }
  return [first, second];
}

/** What a browser asks the documents with: they come gzipped when it is worth it. */
const browserHeaders = { 'accept-encoding': 'gzip, deflate, br' };

/** A function's first and second call, made from the fixture and the run so far. */
interface Requests {
  calls: (run: Run) => [Call, Call];
  /** Functions whose calls must run before (their answers or writes are used). */
  needs?: readonly string[];
  /** Functions measured before this one when selected too (they use what it ends). */
  after?: readonly string[];
}

/**
 * The first and the second call of each function: both reach the database where the
 * function has one; where the fixture allows, they succeed.
 */
const requests: Record<string, Requests> = {
  health: { calls: () => twice({ status: 200 }) },
  register: { calls: () => [registration(), registration()] },
  login: {
    calls: ({ fixture: { reader, password } }) =>
      twice({ body: { username: reader.username, password }, status: 200 }),
  },
  // A wrong old password is checked against the stored hash, and changes nothing.
  changePassword: {
    calls: ({ fixture: { reader, password } }) =>
      twice({
        token: reader.token,
        body: { old_password: `wrong-${password}`, new_password: 'cold-start-password' },
        status: 400,
        code: 'WRONG_PASSWORD',
      }),
  },
  profile: { calls: ({ fixture: { reader } }) => twice({ token: reader.token, status: 200 }) },
  refresh: { calls: () => [unknownRefreshToken(), unknownRefreshToken()] },
  logout: { calls: ({ fixture }) => logouts(fixture) },
  friendAdd: {
    calls: ({ fixture: { reader } }) => [nobodyToAdd(reader.token), nobodyToAdd(reader.token)],
  },
  friendList: { calls: ({ fixture: { reader } }) => twice({ token: reader.token, status: 200 }) },
  friendRemove: {
    calls: ({ fixture: { reader } }) =>
      twice({
        token: reader.token,
        body: { friend_id: 999_999_999 },
        status: 404,
        code: 'FRIEND_NOT_FOUND',
      }),
  },
  friendSearch: {
    calls: ({ fixture: { reader } }) =>
      twice({ token: reader.token, query: { keyword: 'a' }, status: 200 }),
  },
  messageSend: {
    calls: ({ fixture }) => {
      const sender = firstSender(fixture);
      const send = (): Call => ({
        token: sender.token,
        body: { receiver_id: sender.receiverId, content: `cold start ${unique()}` },
        status: 201,
      });
      return [send(), send()];
    },
  },
  messageHistory: {
    calls: ({ fixture: { reader } }) =>
      twice({ token: reader.token, query: { friend_id: String(reader.friendId) }, status: 200 }),
  },
  messageChats: { calls: ({ fixture: { reader } }) => twice({ token: reader.token, status: 200 }) },
  messageLast: {
    calls: ({ fixture: { reader } }) =>
      twice({ token: reader.token, query: { friend_id: String(reader.friendId) }, status: 200 }),
  },
  messageMarkRead: {
    calls: ({ fixture: { reader } }) =>
      twice({ token: reader.token, body: { sender_id: reader.friendId }, status: 200 }),
  },
  // A reconnecting client with nothing yet: the reader's first page of every conversation.
  messageUpdates: {
    calls: ({ fixture: { reader } }) =>
      twice({ token: reader.token, query: { after_id: '0' }, status: 200 }),
  },
  // The sender takes back the two messages messageSend's calls just sent (well within the
  // recall window, 120 s by default).
  messageRecall: {
    needs: ['messageSend'],
    calls: (run) => {
      const sender = firstSender(run.fixture);
      const recall = (messageId: number): Call => ({
        token: sender.token,
        body: { message_id: messageId },
        status: 200,
      });
      const [first, second] = sentMessageIds(run);
      return [recall(first), recall(second)];
    },
  },
  // Mutes the reader's long conversation, then unmutes it: the chat is as it was.
  messageChatSettings: {
    calls: ({ fixture: { reader } }) => {
      const mute = (muted: boolean): Call => ({
        token: reader.token,
        body: { friend_id: reader.friendId, muted },
        status: 200,
      });
      return [mute(true), mute(false)];
    },
  },
  // The reader blocks two strangers, one per call (a second block of the same user is the
  // duplicate-key path, slower on a cold container); friendUnblock lifts both blocks.
  friendBlock: {
    calls: ({ fixture }) => {
      const [first, second] = strangers(fixture);
      return [block(fixture, first), block(fixture, second)];
    },
  },
  friendUnblock: {
    calls: ({ fixture }) => {
      const [first, second] = strangers(fixture);
      return [block(fixture, first), block(fixture, second)];
    },
  },
  friendBlocked: {
    calls: ({ fixture: { reader } }) => twice({ token: reader.token, status: 200 }),
  },
  openapi: { calls: () => twice({ headers: browserHeaders, status: 200 }) },
  asyncapi: { calls: () => twice({ headers: browserHeaders, status: 200 }) },
  apiDocs: { calls: () => twice({ headers: browserHeaders, status: 200 }) },
  // The page's style sheet, then its script (1.4 MB, gzipped on the way out).
  apiDocsFile: {
    calls: () => [
      { pathParameters: { file: 'swagger-ui.css' }, headers: browserHeaders, status: 200 },
      { pathParameters: { file: 'swagger-ui-bundle.js' }, headers: browserHeaders, status: 200 },
    ],
  },
  demo: { calls: () => twice({ headers: browserHeaders, status: 200 }) },
  // Two connections of the reader's, opened with the access token (`?token=`). With no
  // WEBSOCKET_API_ENDPOINT, nothing is pushed or closed through a gateway.
  wsConnect: {
    calls: ({ fixture: { reader }, connections }) => [
      { connectionId: connections[0], query: { token: reader.token }, status: 200 },
      { connectionId: connections[1], query: { token: reader.token }, status: 200 },
    ],
  },
  // Both connections end, once the frame routes have used them.
  wsDisconnect: {
    after: ['wsPing', 'wsTyping', 'wsDefault'],
    calls: ({ connections }) => [
      { connectionId: connections[0], status: 200 },
      { connectionId: connections[1], status: 200 },
    ],
  },
  wsPing: {
    calls: ({ connections }) =>
      twice({ connectionId: connections[0], body: { action: 'ping' }, status: 200, frame: 'pong' }),
  },
  // The reader starts, then stops, typing to their friend: answered with no frame.
  wsTyping: {
    needs: ['wsConnect'],
    calls: ({ fixture: { reader }, connections }) => {
      const typing = (state: string): Call => ({
        connectionId: connections[0],
        body: { action: 'typing', to: reader.friendId, state },
        status: 200,
      });
      return [typing('start'), typing('stop')];
    },
  },
  // Frames no route takes: not JSON, then an unknown action; each an `error` frame.
  wsDefault: {
    needs: ['wsConnect'],
    calls: ({ connections }) => [
      {
        connectionId: connections[0],
        body: 'hello?',
        status: 200,
        frame: 'error',
        code: 'INVALID_JSON',
      },
      {
        connectionId: connections[0],
        body: { action: 'dance' },
        status: 200,
        frame: 'error',
        code: 'VALIDATION_ERROR',
      },
    ],
  },
  housekeeping: {
    calls: () =>
      twice({ report: ['connections', 'rateLimitWindows', 'refreshTokens', 'sessions'] }),
  },
  // A path no route takes: 404 NOT_FOUND in the contract's shape.
  fallback: { calls: () => twice({ status: 404, code: 'NOT_FOUND' }) },
  // Invoked once per deploy; the bench database is up to date, so it applies nothing.
  migrate: { calls: () => twice({ report: [] }) },
};

/** An EventBridge schedule's event, as Lambda receives it. */
function scheduledEvent(): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/chat-backend-cold-start'],
    detail: {},
  };
}

/** The event `call` arrives as, built before the probe starts. */
function eventOf(fn: LambdaFunction, call: Call): unknown {
  const { trigger } = fn;
  if (trigger.kind === 'schedule') return scheduledEvent();
  if (trigger.kind === 'invoke') return {};
  if (trigger.kind === 'websocket') {
    if (call.connectionId === undefined) {
      throw new Error(`cold start: a call of ${fn.name} has no connection id`);
    }
    const frame = call.body;
    return wsEvent(trigger.route, {
      connectionId: call.connectionId,
      query: call.query,
      headers: call.headers,
      body: frame === undefined || typeof frame === 'string' ? frame : JSON.stringify(frame),
    });
  }
  const parameters = call.pathParameters ?? {};
  const path = trigger.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`cold start: ${fn.name} needs {${name}}`);
    return encodeURIComponent(value);
  });
  const { body, query, headers, token } = call;
  const event = httpEvent({ method: trigger.method, path, body, query, headers, token });
  // API Gateway names the route as declared, with its parameters apart.
  const routeKey = trigger.catchAll ? '$default' : `${trigger.method} ${trigger.path}`;
  return {
    ...event,
    routeKey,
    requestContext: { ...event.requestContext, routeKey },
    ...(call.pathParameters ? { pathParameters: call.pathParameters } : {}),
  };
}

const invocation = z.object({
  ms: z.number(),
  /** HTTP and WebSocket routes: the answer's status and body (cut to 64 KiB). */
  status: z.number().optional(),
  body: z.string().optional(),
  /** Anything else (a scheduled function): what the handler returned. */
  result: z.unknown().optional(),
});
const probeOutput = z.object({
  initMs: z.number(),
  first: invocation,
  second: invocation,
  rssMb: z.number(),
});

type ProbeOutput = z.infer<typeof probeOutput>;
type Invocation = ProbeOutput['first'];

/** Runs the probe in a fresh `node` (no tsx, no inherited environment) and parses its line. */
function runProbe(args: string[], env: Record<string, string>): Promise<ProbeOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [probeScript, ...args], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: PROBE_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      // Anything the bundle printed comes before the probe's own last line.
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        reject(new Error(`probe exited with ${code ?? signal}:\n${stderr}${stdout}`));
        return;
      }
      try {
        resolve(probeOutput.parse(JSON.parse(last)));
      } catch (error) {
        reject(new Error(`probe printed no result:\n${stdout}${stderr}`, { cause: error }));
      }
    });
  });
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

const errorCode = z.object({ code: z.string() });
const frameShape = z.object({ type: z.string(), data: z.unknown() });

/** What is wrong with an answer, or undefined when it is the one expected. */
function mismatch(fn: LambdaFunction, call: Call, answer: Invocation): string | undefined {
  if (call.report) {
    const result = answer.result;
    const isReport =
      typeof result === 'object' &&
      result !== null &&
      call.report.every((key) => typeof (result as Record<string, unknown>)[key] === 'number');
    return isReport ? undefined : `a report with ${call.report.join(', ')}`;
  }
  const expected = [call.status, call.frame && `${call.frame} frame`, call.code]
    .filter(Boolean)
    .join(' ');
  if (answer.status !== call.status) return expected;
  const body = parseJson(answer.body);
  if (fn.trigger.kind === 'websocket') {
    if (call.frame === undefined) return answer.body === undefined ? undefined : 'no frame';
    const frame = frameShape.safeParse(body);
    if (!frame.success || frame.data.type !== call.frame) return expected;
    if (call.code === undefined) return undefined;
    return errorCode.safeParse(frame.data.data).data?.code === call.code ? undefined : expected;
  }
  if (call.code === undefined) return undefined;
  return errorCode.safeParse(body).data?.code === call.code ? undefined : expected;
}

function checkAnswer(fn: LambdaFunction, which: string, call: Call, answer: Invocation): void {
  const expected = mismatch(fn, call, answer);
  if (expected === undefined) return;
  const got =
    answer.status === undefined
      ? JSON.stringify(answer.result)
      : `${answer.status}: ${answer.body ?? '(no body)'}`;
  throw new Error(
    `cold start of ${fn.name}: the ${which} invocation answered ${got.slice(0, 2000)}; ` +
      `expected ${expected}`,
  );
}

const round = (value: number) => Math.round(value * 10) / 10;

function requestsOf(fn: LambdaFunction): Requests {
  const entry = requests[fn.name];
  if (!entry) throw new Error(`cold start: no request for function ${fn.name} in cold-start.ts`);
  return entry;
}

/**
 * The order the functions are measured in: serverless.yml's, except that a function goes
 * after the selected functions its `after` names. Fails if one `needs` a function that is
 * not selected, or comes later.
 */
function measuringOrder(selected: LambdaFunction[]): LambdaFunction[] {
  const order = [...selected];
  for (const fn of selected) {
    const after = requestsOf(fn).after ?? [];
    const last = Math.max(...after.map((name) => order.findIndex((other) => other.name === name)));
    const index = order.indexOf(fn);
    if (last > index) order.splice(last, 0, ...order.splice(index, 1));
  }
  for (const [index, fn] of order.entries()) {
    for (const need of requestsOf(fn).needs ?? []) {
      const at = order.findIndex((other) => other.name === need);
      if (at === -1 || at > index) {
        throw new Error(`cold start: ${fn.name}'s calls need ${need}'s to run first`);
      }
    }
  }
  return order;
}

interface Bundle {
  fn: LambdaFunction;
  file: string;
  bytes: number;
}

async function measureBundle(
  { fn, file, bytes }: Bundle,
  run: Run,
  env: Record<string, string>,
): Promise<ColdStartResult> {
  const [firstCall, secondCall] = requestsOf(fn).calls(run);
  const events = [firstCall, secondCall].map((call) => eventOf(fn, call));

  const output = await runProbe([file, fn.exportName, JSON.stringify(events)], env);
  checkAnswer(fn, 'first', firstCall, output.first);
  checkAnswer(fn, 'second', secondCall, output.second);
  run.answers.set(fn.name, [output.first.body, output.second.body]);
  return {
    function: fn.name,
    bundleBytes: bytes,
    initMs: round(output.initMs),
    firstInvokeMs: round(output.first.ms),
    secondInvokeMs: round(output.second.ms),
    // A scheduled function answers no status: 200 is what Lambda's Invoke API answers for
    // an invocation that returned (and its result was checked above).
    firstStatus: output.first.status ?? 200,
    rssMb: round(output.rssMb),
  };
}

/**
 * Bundles the functions of serverless.yml (all, or `options.functions`) and measures each
 * one's cold start in a fresh process, one after another, against the fixture's database.
 * The calls use up `fixture.disposableTokens[0]` and `[1]` (logout) and write to the
 * database: two users, two logins and two failed ones (a wrong old password) of the reader,
 * two messages from `fixture.senders[0]` (then recalled); and, undone by later calls, the
 * reader's blocks of `senders[0]`'s and `[1]`'s receivers, a mute of the reader's chat with
 * their friend, and two WebSocket connections of the reader's. With RATE_LIMITS on,
 * repeated calls get 429s. Housekeeping runs for real: it removes whatever is past its time.
 */
export async function measureColdStart(
  fixture: BenchFixture,
  options: { functions?: string[] } = {},
): Promise<ColdStartResult[]> {
  const config = readServerlessYml();
  const all = lambdaFunctions(config);
  const unknown = options.functions?.filter((name) => !all.some((fn) => fn.name === name));
  if (unknown?.length) throw new Error(`cold start: unknown functions ${unknown.join(', ')}`);
  // A function without a request, or whose calls need one not selected, fails up front.
  const selected = measuringOrder(all.filter((fn) => options.functions?.includes(fn.name) ?? true));

  // Every bundle is built before the first probe runs, so the build does not compete with it.
  rmSync(bundleRoot, { recursive: true, force: true });
  const bundles: Bundle[] = [];
  for (const fn of selected) bundles.push({ fn, ...(await bundle(fn)) });

  const env = {
    ...fixedEnvironment(config),
    ...fixture.env,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // As deployed, files shipped with a function (package.patterns: openapi.json,
    // web/demo.html, Swagger UI's) sit in the package root at these same relative paths.
    LAMBDA_TASK_ROOT: projectRoot,
  };
  const run: Run = { fixture, connections: [connectionId(), connectionId()], answers: new Map() };
  const results: ColdStartResult[] = [];
  for (const built of bundles) results.push(await measureBundle(built, run, env));
  return results;
}
