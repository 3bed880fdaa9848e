import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import * as z from 'zod';
import { esbuildOptions } from '../esbuild.config.cjs';
import { httpEvent, type InvokeOptions } from '../test/helpers/invoke';
import type { BenchFixture, ColdStartResult } from './types';

/**
 * Cold start of every function in serverless.yml: each is bundled exactly as deployed
 * (esbuild.config.cjs), then a fresh `node` process loads the bundle and invokes it twice
 * with a request that reaches the database (bench/cold-start-probe.cjs).
 */

const projectRoot = join(__dirname, '..');
// In the project, so bundles resolve the unbundled SQLite driver; `.esbuild*` folders are
// ignored by git, ESLint and Prettier alike.
const bundleRoot = join(projectRoot, '.esbuild-cold-start');
const probeScript = join(__dirname, 'cold-start-probe.cjs');
/** A probe that has not answered by then is stuck (a database that does not answer). */
const PROBE_TIMEOUT_MS = 60_000;

/** A function as serverless.yml declares it. */
interface LambdaFunction {
  name: string;
  /** The source file, relative to the project root. */
  source: string;
  /** The handler's export name. */
  exportName: string;
  method: NonNullable<InvokeOptions['method']>;
  path: string;
}

const httpMethod = z
  .string()
  .transform((method) => method.toUpperCase())
  .pipe(z.enum(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']));

const serverlessYml = z.object({
  provider: z.object({ environment: z.record(z.string(), z.unknown()).default({}) }),
  functions: z.record(
    z.string(),
    z.object({
      handler: z.string(),
      events: z.array(z.object({ httpApi: z.object({ method: httpMethod, path: z.string() }) })),
    }),
  ),
});

type ServerlessYml = z.infer<typeof serverlessYml>;

/** serverless.yml, parsed with the YAML library serverless itself uses. */
function readServerlessYml(): ServerlessYml {
  const serverlessRequire = createRequire(
    join(projectRoot, 'node_modules/serverless/package.json'),
  );
  const yaml = serverlessRequire('js-yaml') as { load: (text: string) => unknown };
  return serverlessYml.parse(yaml.load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')));
}

function lambdaFunctions(config: ServerlessYml): LambdaFunction[] {
  return Object.entries(config.functions).map(([name, { handler, events }]) => {
    const route = events[0]?.httpApi;
    if (!route) throw new Error(`serverless.yml: function ${name} has no httpApi event`);
    const modulePath = handler.slice(0, handler.lastIndexOf('.'));
    const source = ['.ts', '.js']
      .map((extension) => modulePath + extension)
      .find((file) => existsSync(join(projectRoot, file)));
    if (!source) throw new Error(`serverless.yml: no source file for handler ${handler}`);
    const exportName = handler.slice(handler.lastIndexOf('.') + 1);
    return { name, source, exportName, method: route.method, path: route.path };
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

/** One request to a function, and the answer it must get. */
interface Call {
  body?: unknown;
  query?: Record<string, string>;
  token?: string;
  status: number;
  /** The error code of a 4xx answer: proves the request got past validation to the database. */
  code?: string;
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

/** The first and the second request of each function, both reaching the database. */
const requests: Record<string, (fixture: BenchFixture) => [Call, Call]> = {
  health: () => twice({ status: 200 }),
  register: () => [registration(), registration()],
  login: ({ reader, password }) =>
    twice({ body: { username: reader.username, password }, status: 200 }),
  // A wrong old password is checked against the stored hash, and changes nothing.
  changePassword: ({ reader, password }) =>
    twice({
      token: reader.token,
      body: { old_password: `wrong-${password}`, new_password: 'cold-start-password' },
      status: 400,
      code: 'WRONG_PASSWORD',
    }),
  profile: ({ reader }) => twice({ token: reader.token, status: 200 }),
  refresh: () => [unknownRefreshToken(), unknownRefreshToken()],
  logout: logouts,
  friendAdd: ({ reader }) => [nobodyToAdd(reader.token), nobodyToAdd(reader.token)],
  friendList: ({ reader }) => twice({ token: reader.token, status: 200 }),
  friendRemove: ({ reader }) =>
    twice({
      token: reader.token,
      body: { friend_id: 999_999_999 },
      status: 404,
      code: 'FRIEND_NOT_FOUND',
    }),
  friendSearch: ({ reader }) =>
    twice({ token: reader.token, query: { keyword: 'a' }, status: 200 }),
  messageSend: ({ senders }) => {
    const sender = senders[0];
    if (!sender) throw new Error('cold start: the fixture has no senders');
    const send = (): Call => ({
      token: sender.token,
      body: { receiver_id: sender.receiverId, content: `cold start ${unique()}` },
      status: 201,
    });
    return [send(), send()];
  },
  messageHistory: ({ reader }) =>
    twice({ token: reader.token, query: { friend_id: String(reader.friendId) }, status: 200 }),
  messageChats: ({ reader }) => twice({ token: reader.token, status: 200 }),
  messageLast: ({ reader }) =>
    twice({ token: reader.token, query: { friend_id: String(reader.friendId) }, status: 200 }),
  messageMarkRead: ({ reader }) =>
    twice({ token: reader.token, body: { sender_id: reader.friendId }, status: 200 }),
};

const invocation = z.object({ ms: z.number(), status: z.number(), body: z.string().optional() });
const probeOutput = z.object({
  initMs: z.number(),
  first: invocation,
  second: invocation,
  rssMb: z.number(),
});

type ProbeOutput = z.infer<typeof probeOutput>;

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

function checkAnswer(fn: string, which: string, call: Call, answer: ProbeOutput['first']): void {
  let code: unknown;
  try {
    code = (JSON.parse(answer.body ?? '') as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  if (answer.status !== call.status || (call.code !== undefined && code !== call.code)) {
    const expected = call.code ? `${call.status} ${call.code}` : String(call.status);
    throw new Error(
      `cold start of ${fn}: the ${which} invocation answered ${answer.status}, expected ` +
        `${expected}: ${answer.body ?? ''}`,
    );
  }
}

const round = (value: number) => Math.round(value * 10) / 10;

function requestsOf(fn: LambdaFunction): (fixture: BenchFixture) => [Call, Call] {
  const calls = requests[fn.name];
  if (!calls) throw new Error(`cold start: no request for function ${fn.name} in cold-start.ts`);
  return calls;
}

interface Bundle {
  fn: LambdaFunction;
  file: string;
  bytes: number;
}

async function measureBundle(
  { fn, file, bytes }: Bundle,
  fixture: BenchFixture,
  env: Record<string, string>,
): Promise<ColdStartResult> {
  const [firstCall, secondCall] = requestsOf(fn)(fixture);
  const events = [firstCall, secondCall].map(({ body, query, token }) =>
    httpEvent({ method: fn.method, path: fn.path, body, query, token }),
  );

  const output = await runProbe([file, fn.exportName, JSON.stringify(events)], env);
  checkAnswer(fn.name, 'first', firstCall, output.first);
  checkAnswer(fn.name, 'second', secondCall, output.second);
  return {
    function: fn.name,
    bundleBytes: bytes,
    initMs: round(output.initMs),
    firstInvokeMs: round(output.first.ms),
    secondInvokeMs: round(output.second.ms),
    firstStatus: output.first.status,
    rssMb: round(output.rssMb),
  };
}

/**
 * Bundles the functions of serverless.yml (all, or `options.functions`) and measures each
 * one's cold start in a fresh process, one after another, against the fixture's database.
 * Each call uses up `fixture.disposableTokens[0]` and `[1]` (logout) and writes to the
 * database: two users, two logins and two failed ones (a wrong old password) of the reader,
 * two messages from `fixture.senders[0]`; with RATE_LIMITS on, repeated calls get 429s.
 */
export async function measureColdStart(
  fixture: BenchFixture,
  options: { functions?: string[] } = {},
): Promise<ColdStartResult[]> {
  const config = readServerlessYml();
  const all = lambdaFunctions(config);
  const unknown = options.functions?.filter((name) => !all.some((fn) => fn.name === name));
  if (unknown?.length) throw new Error(`cold start: unknown functions ${unknown.join(', ')}`);
  const selected = all.filter((fn) => options.functions?.includes(fn.name) ?? true);
  for (const fn of selected) requestsOf(fn); // a function without a request fails up front

  // Every bundle is built before the first probe runs, so the build does not compete with it.
  rmSync(bundleRoot, { recursive: true, force: true });
  const bundles: Bundle[] = [];
  for (const fn of selected) bundles.push({ fn, ...(await bundle(fn)) });

  const env = { ...fixedEnvironment(config), ...fixture.env, POWERTOOLS_LOG_LEVEL: 'SILENT' };
  const results: ColdStartResult[] = [];
  for (const built of bundles) results.push(await measureBundle(built, fixture, env));
  return results;
}
