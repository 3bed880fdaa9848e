'use strict';

/**
 * What a deployed stage (any stage but `local`) needs, checked before anything is built, and
 * the parts of the template serverless.yml cannot express by itself:
 *
 * - `package`/`deploy` fail at once, naming every missing setting (the database host and
 *   user, and the SSM parameters of the database password and the JWT key); a secret given
 *   as a plain value is refused, since it would sit in clear text in the template.
 * - The functions may read the named SSM parameters, and nothing else of Parameter Store
 *   (`ssm:GetParameters`, the call @middy/ssm makes), plus `kms:Decrypt` on a
 *   customer-managed key when one is given.
 * - `vpcSubnetIds` and `vpcSecurityGroupIds` (comma-separated) become `provider.vpc`.
 * - The capacity guards (stage throttling, reserved concurrency) are numbers, even when given
 *   as `--param` strings.
 *
 * test/e2e/deploy-package.e2e.test.ts checks the packaged template.
 */
const LOCAL_STAGE = 'local';

/** Required outside `local`: [environment variable, its serverless.yml param]. */
const REQUIRED = [
  ['DB_HOST', 'dbHost'],
  ['DB_USER', 'dbUser'],
  ['DB_PASSWORD_PARAMETER', 'dbPasswordParameter'],
  ['JWT_SECRET_KEY_PARAMETER', 'jwtSecretKeyParameter'],
];
/** Never given as values outside `local`: they would be readable in the template. */
const PLAIN_SECRETS = ['DB_PASSWORD', 'JWT_SECRET_KEY', 'JWT_PREVIOUS_SECRET_KEY'];
/** Environment variables naming SSM parameters the functions read. */
const PARAMETER_NAMES = [
  'DB_PASSWORD_PARAMETER',
  'JWT_SECRET_KEY_PARAMETER',
  'JWT_PREVIOUS_SECRET_KEY_PARAMETER',
];
const PARAMETER_NAME = /^[A-Za-z0-9_.\-/]{1,1011}$/;

const list = (value) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

class DeploymentStage {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    const check = () => this.prepare();
    this.hooks = {
      'before:package:initialize': check,
      'before:deploy:function:initialize': check,
    };
  }

  stage() {
    return this.serverless.getProvider('aws').getStage();
  }

  fail(message) {
    throw new this.serverless.classes.Error(message);
  }

  prepare() {
    const stage = this.stage();
    if (stage === LOCAL_STAGE) return;
    const { service } = this.serverless;
    const provider = service.provider;
    const environment = provider.environment ?? {};
    const given = (name) => String(environment[name] ?? '').trim() !== '';

    const missing = REQUIRED.filter(([name]) => !given(name)).map(
      ([name, param]) => `${param} (--param="${param}=…" or ${name})`,
    );
    if (missing.length > 0) {
      this.fail(
        `Stage "${stage}" deploys with MySQL and secrets from SSM Parameter Store; ` +
          `missing: ${missing.join(', ')}. See README, Deploying.`,
      );
    }
    if (environment.DB_TYPE !== 'mysql') {
      this.fail(`Stage "${stage}": DB_TYPE must be mysql (SQLite is for the local stage only)`);
    }
    const functions = Object.values(service.functions ?? {});
    const environments = [environment, ...functions.map((fn) => fn.environment ?? {})];
    const plain = PLAIN_SECRETS.filter((name) =>
      environments.some((env) => String(env[name] ?? '') !== ''),
    );
    if (plain.length > 0) {
      this.fail(
        `Stage "${stage}": ${plain.join(', ')} would be stored in clear text in the template; ` +
          'put the value in SSM Parameter Store and give its name (…_PARAMETER) instead',
      );
    }

    const names = new Set(
      environments.flatMap((env) =>
        PARAMETER_NAMES.map((name) => String(env[name] ?? '').trim()).filter(Boolean),
      ),
    );
    const invalid = [...names].filter((name) => !PARAMETER_NAME.test(name));
    if (invalid.length > 0) this.fail(`Invalid SSM parameter name(s): ${invalid.join(', ')}`);
    this.grantParameters([...names]);
    this.configureVpc();
    this.capacityAsNumbers();
  }

  capacityAsNumbers() {
    const number = (value, what) => {
      const parsed = Number(value);
      if (!Number.isFinite(parsed) || parsed < 0)
        this.fail(`${what} must be a number, not "${value}"`);
      return parsed;
    };
    const { service } = this.serverless;
    for (const [key, fn] of Object.entries(service.functions ?? {})) {
      if (fn.reservedConcurrency != null) {
        fn.reservedConcurrency = number(fn.reservedConcurrency, `${key}.reservedConcurrency`);
      }
    }
    for (const [id, extension] of Object.entries(service.resources?.extensions ?? {})) {
      const settings = extension?.Properties?.DefaultRouteSettings ?? {};
      for (const name of ['ThrottlingRateLimit', 'ThrottlingBurstLimit']) {
        if (settings[name] != null) settings[name] = number(settings[name], `${id} ${name}`);
      }
    }
  }

  /** Read access to exactly the named parameters (names with or without a leading slash). */
  grantParameters(names) {
    const provider = this.serverless.service.provider;
    provider.iam ??= {};
    provider.iam.role ??= {};
    provider.iam.role.statements ??= [];
    const arn = (name) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name.replace(/^\//, '')}`,
    });
    provider.iam.role.statements.push({
      Effect: 'Allow',
      Action: ['ssm:GetParameters'],
      Resource: names.sort().map(arn),
    });
    const kmsKey = String(this.serverless.service.custom?.secretsKmsKeyArn ?? '').trim();
    if (kmsKey !== '') {
      provider.iam.role.statements.push({
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [kmsKey],
      });
    }
  }

  /** Subnets and security groups, both or neither (a function in a VPC needs both). */
  configureVpc() {
    const vpc = this.serverless.service.custom?.vpc ?? {};
    const subnetIds = list(vpc.subnetIds);
    const securityGroupIds = list(vpc.securityGroupIds);
    if (subnetIds.length === 0 && securityGroupIds.length === 0) return;
    if (subnetIds.length === 0 || securityGroupIds.length === 0) {
      this.fail('vpcSubnetIds and vpcSecurityGroupIds must be given together');
    }
    this.serverless.service.provider.vpc = { subnetIds, securityGroupIds };
  }
}

module.exports = DeploymentStage;
