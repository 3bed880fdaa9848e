import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * `serverless package --stage prod` builds what a deploy would upload, without an AWS account
 * (the parameters below are fake names: nothing is looked up at package time).
 * This checks the CloudFormation template against serverless.yml (read through
 * `serverless print`, so new functions and routes are checked without editing this file)
 * and the contract: every function, HTTP route and WebSocket route is there and wired to its
 * function, the push permission is scoped to this stack's WebSocket API, the functions find
 * that API from the stack, housekeeping is scheduled, and every bundle stays under 1 MB.
 * As a production stage: no secret value anywhere in what is built (secrets are read from
 * SSM at run time), read access to the named parameters only, the VPC, MySQL with verified
 * TLS and no auto-migration, capacity guards, log retention, nodejs24.x on arm64.
 */

const projectRoot = join(__dirname, '../..');
const stage = 'prod';
/** Fake deploy parameters: SSM parameter names, a VPC. */
const params = {
  dbHost: 'chat.cluster-example.us-east-1.rds.amazonaws.com',
  dbUser: 'chat_app',
  dbPasswordParameter: '/chat/prod/db-password',
  jwtSecretKeyParameter: '/chat/prod/jwt-key',
  jwtPreviousSecretKeyParameter: 'chat/prod/jwt-previous-key',
  jwtPreviousSecretKeyUntil: '2030-01-01T00:00:00Z',
  migrateDbUser: 'chat_migrator',
  vpcSubnetIds: 'subnet-0aaa,subnet-0bbb',
  vpcSecurityGroupIds: 'sg-0ccc',
  httpThrottleRate: '321',
  httpThrottleBurst: '654',
};
const paramArgs = Object.entries(params).map(([key, value]) => `--param=${key}=${value}`);
/**
 * Secret values in the environment of the package run, as a careless pipeline would have
 * them: a production stage must not carry any of them into what it builds.
 */
const secretValues = {
  DB_PASSWORD: 'db-password-that-must-not-ship-0123456789',
  JWT_SECRET_KEY: 'jwt-key-that-must-not-ship-0123456789abcdef',
  JWT_PREVIOUS_SECRET_KEY: 'previous-jwt-key-that-must-not-ship-012345',
  MIGRATE_DB_PASSWORD: 'migrate-password-that-must-not-ship-01234',
};
/** The bundled handler's limit (source maps excluded): cold starts grow with it. */
const MAX_BUNDLE_BYTES = 1024 * 1024;
/** The contract's WebSocket routes, and those that answer on the same connection. */
const contractWebsocketRoutes = ['$connect', '$disconnect', 'ping', 'typing', '$default'];
const routesWithResponses = ['ping', 'typing', '$default'];

jest.setTimeout(240_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON
type Json = any;

interface FunctionConfig {
  name: string;
  handler: string;
  events?: Record<string, Json>[];
  /** Files shipped beside the bundle (read with lib/http/static.ts). */
  package?: { patterns?: string[] };
}

let packageDir: string;
let buildDir: string;
let config: {
  functions: Record<string, FunctionConfig>;
  provider: Json;
  package?: { patterns?: string[] };
};
let resources: Record<string, { Type: string; Properties: Json }>;

async function serverless(args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(projectRoot, 'node_modules/serverless/bin/serverless.js'), ...args],
      {
        cwd: projectRoot,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
          // Inside the project (as for offline runs), and unique, so parallel runs coexist.
          ESBUILD_WORK_DIR: buildDir,
          ESBUILD_WATCH: 'off',
          ...extraEnv,
        },
      },
    );
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

beforeAll(async () => {
  packageDir = mkdtempSync(join(tmpdir(), 'chat-package-'));
  buildDir = `.esbuild-package-${process.pid}-${randomBytes(3).toString('hex')}`;
  const [printed] = await Promise.all([
    serverless(['print', '--stage', stage, '--format', 'json', ...paramArgs]),
    serverless(['package', '--stage', stage, '--package', packageDir, ...paramArgs], secretValues),
  ]);
  config = JSON.parse(printed);
  const template = JSON.parse(
    readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  );
  resources = template.Resources;
});

afterAll(() => {
  if (packageDir) rmSync(packageDir, { recursive: true, force: true });
  if (buildDir) rmSync(join(projectRoot, buildDir), { recursive: true, force: true });
});

/** Resources of one type, as [logical id, resource]. */
function ofType(type: string) {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** Every logical id a value refers to (Ref and Fn::GetAtt, at any depth). */
function references(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(references);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    if (key === 'Ref' && typeof inner === 'string') return [inner];
    if (key === 'Fn::GetAtt' && Array.isArray(inner)) return [String(inner[0])];
    return references(inner);
  });
}

/** The strings of a value (Fn::Join pieces and the like), at any depth. */
function strings(value: Json): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(strings);
}

/** The logical id of the Lambda deployed for a serverless.yml function. */
function lambdaOf(functionKey: string): string {
  const name = config.functions[functionKey]?.name;
  const found = ofType('AWS::Lambda::Function').filter(
    ([, resource]) => resource.Properties.FunctionName === name,
  );
  if (found.length !== 1) {
    throw new Error(`${functionKey}: ${found.length} Lambda functions named ${String(name)}`);
  }
  return (found[0] as [string, unknown])[0];
}

/** The events of one kind, across functions, as [function key, event]. */
function events(kind: string): [string, Json][] {
  return Object.entries(config.functions).flatMap(([key, fn]) =>
    (fn.events ?? [])
      .filter((event) => kind in event)
      .map((event): [string, Json] => [key, event[kind]]),
  );
}

/** The Lambda a route's target integration invokes. */
function routeTarget(route: Json): string[] {
  const integration = references(route.Properties.Target).map((id) => resources[id]);
  return integration.flatMap((resource) =>
    resource?.Type === 'AWS::ApiGatewayV2::Integration'
      ? references(resource.Properties.IntegrationUri).filter(
          (id) => resources[id]?.Type === 'AWS::Lambda::Function',
        )
      : [],
  );
}

function routesOf(apiId: string) {
  return ofType('AWS::ApiGatewayV2::Route').filter(([, route]) =>
    references(route.Properties.ApiId).includes(apiId),
  );
}

/**
 * The entries of a zip file and their uncompressed sizes, from its central directory
 * (node has no zip reader, and this needs no unzip binary).
 */
function zipEntries(path: string): Map<string, number> {
  const zip = readFileSync(path);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > zip.length) throw new Error(`${path}: no end of central directory`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries = new Map<string, number>();
  for (let index = 0; index < count; index += 1) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${path}: bad central directory`);
    const size = zip.readUInt32LE(offset + 24);
    if (size === 0xffffffff) throw new Error(`${path}: zip64 entries are not read here`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.set(zip.toString('utf8', offset + 46, offset + 46 + nameLength), size);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

it('deploys every function of serverless.yml as a Lambda with its handler', () => {
  const keys = Object.keys(config.functions);
  expect(keys.length).toBeGreaterThan(20);
  expect(keys).toContain('housekeeping');
  const handlers = Object.fromEntries(
    keys.map((key) => [key, resources[lambdaOf(key)]?.Properties.Handler]),
  );
  expect(handlers).toEqual(
    Object.fromEntries(keys.map((key) => [key, config.functions[key]?.handler])),
  );
  expect(ofType('AWS::Lambda::Function')).toHaveLength(keys.length);
});

it('routes every httpApi event of serverless.yml through the HTTP API to its function', () => {
  const httpApis = ofType('AWS::ApiGatewayV2::Api').filter(
    ([, api]) => api.Properties.ProtocolType === 'HTTP',
  );
  expect(httpApis).toHaveLength(1);
  const [httpApiId] = httpApis[0] as [string, unknown];
  const deployed = Object.fromEntries(
    routesOf(httpApiId).map(([, route]) => [route.Properties.RouteKey, routeTarget(route)]),
  );
  const declared = Object.fromEntries(
    events('httpApi').map(([key, event]) => [
      // `httpApi: '*'` is the HTTP API's catch-all route.
      event === '*' ? '$default' : `${String(event.method).toUpperCase()} ${event.path}`,
      [lambdaOf(key)],
    ]),
  );
  expect(Object.keys(declared).length).toBeGreaterThan(15);
  expect(declared).toHaveProperty(['GET /api/message/updates']);
  expect(deployed).toEqual(declared);
});

it('routes every WebSocket route to its function, selected by action, with route responses', () => {
  const websocketApi = resources.WebsocketsApi;
  expect(websocketApi?.Type).toBe('AWS::ApiGatewayV2::Api');
  expect(websocketApi?.Properties).toMatchObject({
    ProtocolType: 'WEBSOCKET',
    RouteSelectionExpression: '$request.body.action',
  });

  const declared = Object.fromEntries(
    events('websocket').map(([key, event]) => [
      typeof event === 'string' ? event : event.route,
      [lambdaOf(key)],
    ]),
  );
  expect(Object.keys(declared).sort()).toEqual(expect.arrayContaining(contractWebsocketRoutes));
  const deployed = Object.fromEntries(
    routesOf('WebsocketsApi').map(([, route]) => [route.Properties.RouteKey, routeTarget(route)]),
  );
  expect(deployed).toEqual(declared);

  // The routes that answer on the same connection (pong, error frames) need a route response.
  const responding = ofType('AWS::ApiGatewayV2::RouteResponse')
    .filter(([, response]) => references(response.Properties.ApiId).includes('WebsocketsApi'))
    .map(([, response]) => {
      const [routeId] = references(response.Properties.RouteId);
      return resources[routeId as string]?.Properties.RouteKey as string;
    });
  const declaredResponding = events('websocket')
    .filter(([, event]) => typeof event === 'object' && event.routeResponseSelectionExpression)
    .map(([, event]) => event.route as string);
  expect(responding.sort()).toEqual(declaredResponding.sort());
  expect(responding).toEqual(expect.arrayContaining(routesWithResponses));
});

it('lets the functions manage connections of this WebSocket API only', () => {
  const statements = ofType('AWS::IAM::Role').flatMap(([, role]) =>
    (role.Properties.Policies ?? []).flatMap(
      (policy: Json) => policy.PolicyDocument.Statement as Json[],
    ),
  );
  const actions = (statement: Json): string[] => [statement.Action].flat();
  const grantsManage = (statement: Json) =>
    statement.Effect === 'Allow' &&
    actions(statement).some((action) =>
      ['execute-api:ManageConnections', 'execute-api:*', '*'].includes(action),
    );
  const granting = statements.filter(grantsManage);
  expect(granting).toHaveLength(1);
  const resourcesOf = [granting[0].Resource].flat();
  for (const resource of resourcesOf) {
    expect(resource).not.toBe('*');
    expect(references(resource)).toContain('WebsocketsApi');
    // This stage's connections: …:<api id>/<stage>/*/@connections/*
    expect(strings(resource).join('')).toContain(`/${stage}/*/@connections/*`);
  }
  expect(resourcesOf.length).toBeGreaterThan(0);
});

it("gives every function this stack's WebSocket management endpoint", () => {
  const lambdas = ofType('AWS::Lambda::Function');
  const stageName = ofType('AWS::ApiGatewayV2::Stage')
    .filter(([, stageResource]) =>
      references(stageResource.Properties.ApiId).includes('WebsocketsApi'),
    )
    .map(([, stageResource]) => stageResource.Properties.StageName);
  expect(stageName).toEqual([stage]);
  expect(lambdas.length).toBeGreaterThan(0);
  for (const [id, lambda] of lambdas) {
    const endpoint = lambda.Properties.Environment?.Variables?.WEBSOCKET_API_ENDPOINT;
    const context = `${id}: ${JSON.stringify(endpoint)}`;
    // Built by CloudFormation from the stack's own API, not a literal URL.
    expect([context, typeof endpoint]).toEqual([context, 'object']);
    expect([context, references(endpoint)]).toEqual([
      context,
      expect.arrayContaining(['WebsocketsApi']),
    ]);
    const text = strings(endpoint).join('');
    expect([context, text.startsWith('https://')]).toEqual([context, true]);
    expect([context, text.endsWith(`/${stage}`)]).toEqual([context, true]);
    // The client-facing URL, where serverless.yml sets one, is built the same way.
    if (config.provider.environment?.WEBSOCKET_URL !== undefined) {
      const url = lambda.Properties.Environment.Variables.WEBSOCKET_URL;
      const urlContext = `${id}: ${JSON.stringify(url)}`;
      expect([urlContext, references(url)]).toEqual([
        urlContext,
        expect.arrayContaining(['WebsocketsApi']),
      ]);
      const urlText = strings(url).join('');
      expect([urlContext, urlText.startsWith('wss://') && urlText.endsWith(`/${stage}`)]).toEqual([
        urlContext,
        true,
      ]);
    }
  }
});

it('runs housekeeping (and any other scheduled function) on its schedule', () => {
  const scheduled = events('schedule');
  expect(scheduled.map(([key]) => key)).toContain('housekeeping');
  const rules = ofType('AWS::Events::Rule').map(([, rule]) => ({
    schedule: rule.Properties.ScheduleExpression,
    state: rule.Properties.State,
    targets: (rule.Properties.Targets as Json[]).flatMap((target) => references(target.Arn)),
  }));
  for (const [key, event] of scheduled) {
    const expression = typeof event === 'string' ? event : event.rate;
    expect(rules).toContainEqual({
      schedule: [expression].flat()[0],
      state: 'ENABLED',
      targets: [lambdaOf(key)],
    });
  }
});

it('packages each function on its own, its bundled handler at most 1 MB', () => {
  // Shipped beside every function (package.patterns at the service level).
  const servicePatterns: string[] = config.package?.patterns ?? [];
  const report = Object.entries(config.functions).map(([key, fn]) => {
    const patterns = [...servicePatterns, ...(fn.package?.patterns ?? [])];
    const lambda = resources[lambdaOf(key)];
    const zipName = basename(String(lambda?.Properties.Code.S3Key));
    const entries = zipEntries(join(packageDir, zipName));
    const bundle = `${fn.handler.replace(/\.[^.]+$/, '')}.js`;
    return {
      key,
      zipName,
      bundle,
      size: entries.get(bundle),
      // Dependencies are bundled: a file of node_modules ships only when named in package.patterns.
      nodeModules: [...entries.keys()].filter(
        (name) => name.includes('node_modules/') && !patterns.includes(name),
      ),
      missingFiles: patterns.filter((name) => !entries.has(name)),
    };
  });
  const problems = report.filter(
    (entry) =>
      entry.size === undefined ||
      entry.size > MAX_BUNDLE_BYTES ||
      entry.nodeModules.length > 0 ||
      entry.missingFiles.length > 0,
  );
  expect(problems).toEqual([]);
  // One zip per function.
  expect(new Set(report.map((entry) => entry.zipName)).size).toBe(report.length);
});

describe('as a production stage', () => {
  const lambdas = () => ofType('AWS::Lambda::Function');
  const variables = (lambda: Json): Record<string, Json> =>
    lambda.Properties.Environment?.Variables ?? {};
  const roleStatements = (): Json[] =>
    ofType('AWS::IAM::Role').flatMap(([, role]) =>
      (role.Properties.Policies ?? []).flatMap(
        (policy: Json) => policy.PolicyDocument.Statement as Json[],
      ),
    );

  it('carries no secret value: not in the template, nor in any file built beside it', () => {
    const files = readdirSync(packageDir).filter((name) => !name.endsWith('.zip'));
    expect(files).toContain('cloudformation-template-update-stack.json');
    const found = files.flatMap((name) => {
      const text = readFileSync(join(packageDir, name), 'utf8');
      return Object.entries(secretValues)
        .filter(([, value]) => text.includes(value))
        .map(([key]) => `${key} in ${name}`);
    });
    expect(found).toEqual([]);
    // Only the names of the SSM parameters holding them.
    for (const [id, lambda] of lambdas()) {
      const env = variables(lambda);
      expect([id, env.JWT_SECRET_KEY ?? '', env.DB_PASSWORD ?? '']).toEqual([id, '', '']);
      expect([id, env.JWT_SECRET_KEY_PARAMETER]).toEqual([id, params.jwtSecretKeyParameter]);
      expect([id, env.DB_PASSWORD_PARAMETER]).toEqual([id, params.dbPasswordParameter]);
    }
  });

  it('deploys every route of the API contract (openapi.json and the WebSocket routes)', () => {
    const openapi = JSON.parse(readFileSync(join(projectRoot, 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const contract = Object.entries(openapi.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const [httpApiId] = ofType('AWS::ApiGatewayV2::Api').find(
      ([, api]) => api.Properties.ProtocolType === 'HTTP',
    ) as [string, unknown];
    const httpRoutes = routesOf(httpApiId).map(([, route]) => route.Properties.RouteKey);
    expect(contract.length).toBeGreaterThan(20);
    expect(httpRoutes).toEqual(expect.arrayContaining(contract));
    const wsRoutes = routesOf('WebsocketsApi').map(([, route]) => route.Properties.RouteKey);
    expect(wsRoutes).toEqual(expect.arrayContaining(contractWebsocketRoutes));
  });

  it('lets the functions read the named SSM parameters and nothing else of SSM, KMS or Secrets Manager', () => {
    const statements = roleStatements();
    const touching = statements.filter((statement) =>
      [statement.Action]
        .flat()
        .some((action: string) => /^(ssm|kms|secretsmanager):|^\*$/.test(action)),
    );
    expect(touching).toHaveLength(1);
    expect([touching[0].Effect, [touching[0].Action].flat()]).toEqual([
      'Allow',
      ['ssm:GetParameters'],
    ]);
    const arns = [touching[0].Resource].flat().map((resource: Json) => strings(resource).join(''));
    const arn = (name: string) =>
      `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name.replace(/^\//, '')}`;
    expect(arns.sort()).toEqual(
      [
        params.dbPasswordParameter,
        params.jwtSecretKeyParameter,
        params.jwtPreviousSecretKeyParameter,
      ]
        .map(arn)
        .sort(),
    );
    // No statement grants anything on every resource.
    expect(statements.filter((statement) => [statement.Resource].flat().includes('*'))).toEqual([]);
  });

  it('runs every function in the given VPC, on nodejs24.x and arm64, with log retention', () => {
    const report = lambdas().map(([id, lambda]) => ({
      id,
      runtime: lambda.Properties.Runtime,
      architectures: lambda.Properties.Architectures,
      vpc: lambda.Properties.VpcConfig,
    }));
    expect(report).toEqual(
      report.map(({ id }) => ({
        id,
        runtime: 'nodejs24.x',
        architectures: ['arm64'],
        vpc: { SubnetIds: ['subnet-0aaa', 'subnet-0bbb'], SecurityGroupIds: ['sg-0ccc'] },
      })),
    );
    const logGroups = ofType('AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(lambdas().length);
    for (const [id, group] of logGroups) {
      expect([id, group.Properties.RetentionInDays]).toEqual([id, expect.any(Number)]);
    }
  });

  it('uses MySQL with verified TLS, never migrates from the functions, and migrates by hand', () => {
    for (const [id, lambda] of lambdas()) {
      const env = variables(lambda);
      expect([id, env.DB_TYPE, env.DB_SSL, env.DB_AUTO_MIGRATE, env.DB_HOST]).toEqual([
        id,
        'mysql',
        'rds',
        'false',
        params.dbHost,
      ]);
    }
    const migrate = resources[lambdaOf('migrate')];
    expect(config.functions.migrate?.events ?? []).toEqual([]);
    expect(migrate?.Properties.ReservedConcurrentExecutions).toBe(1);
    // The migrate function alone connects as the user with DDL rights.
    expect(variables(migrate).DB_USER).toBe(params.migrateDbUser);
    expect(variables(resources[lambdaOf('login')]).DB_USER).toBe(params.dbUser);
  });

  it('throttles both APIs at their stage and caps what a flood of anonymous calls can take', () => {
    const settings = ofType('AWS::ApiGatewayV2::Stage').map(([, stageResource]) => ({
      api: references(stageResource.Properties.ApiId)[0],
      throttle: stageResource.Properties.DefaultRouteSettings,
    }));
    expect(settings).toEqual(
      expect.arrayContaining([
        {
          api: 'HttpApi',
          throttle: { ThrottlingRateLimit: 321, ThrottlingBurstLimit: 654 },
        },
        {
          api: 'WebsocketsApi',
          throttle: {
            ThrottlingRateLimit: expect.any(Number),
            ThrottlingBurstLimit: expect.any(Number),
          },
        },
      ]),
    );
    for (const key of ['register', 'login', 'wsConnect', 'housekeeping', 'migrate']) {
      const reserved = resources[lambdaOf(key)]?.Properties.ReservedConcurrentExecutions;
      expect([key, typeof reserved === 'number' && reserved > 0]).toEqual([key, true]);
    }
  });

  it('fails early, naming what is missing, when a production stage lacks its settings', async () => {
    const failure = await serverless(['package', '--stage', 'prod2', '--package', packageDir], {
      DB_HOST: '',
      DB_USER: '',
      ...secretValues,
      DB_PASSWORD_PARAMETER: '',
      JWT_SECRET_KEY_PARAMETER: '',
    }).then(
      () => 'packaged',
      (error: Error) => error.message,
    );
    for (const name of ['dbHost', 'dbUser', 'dbPasswordParameter', 'jwtSecretKeyParameter']) {
      expect(failure).toContain(name);
    }
  });
});
