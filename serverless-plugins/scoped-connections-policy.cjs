'use strict';

/**
 * Serverless Framework v3 adds a statement to the functions' default role whenever a
 * function has a `websocket` event: `execute-api:ManageConnections` on the connections of
 * every WebSocket API of the account in every region (FRAMEWORK_RESOURCE below), and offers
 * no setting to leave it out. serverless.yml grants the same action
 * on this stage's WebSocket API only (provider.iam.role.statements); this plugin removes the
 * framework's wildcard statement so that grant is the only one.
 * test/e2e/deploy-package.e2e.test.ts checks the packaged template.
 */
const FRAMEWORK_RESOURCE = 'arn:${AWS::Partition}:execute-api:*:*:*/@connections/*';

function isFrameworkWildcard(statement) {
  const actions = [statement.Action].flat();
  const resources = [statement.Resource].flat();
  return (
    statement.Effect === 'Allow' &&
    actions.length === 1 &&
    actions[0] === 'execute-api:ManageConnections' &&
    resources.length === 1 &&
    resources[0] !== null &&
    typeof resources[0] === 'object' &&
    resources[0]['Fn::Sub'] === FRAMEWORK_RESOURCE
  );
}

class ScopedConnectionsPolicy {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      // After package:compileEvents (which adds the statement), before the template is written.
      'before:package:finalize': () => this.removeFrameworkWildcard(),
    };
  }

  removeFrameworkWildcard() {
    const { Resources } = this.serverless.service.provider.compiledCloudFormationTemplate;
    const role = Resources[this.serverless.getProvider('aws').naming.getRoleLogicalId()];
    for (const policy of role?.Properties?.Policies ?? []) {
      const document = policy.PolicyDocument;
      if (Array.isArray(document?.Statement)) {
        document.Statement = document.Statement.filter((s) => !isFrameworkWildcard(s));
      }
    }
  }
}

module.exports = ScopedConnectionsPolicy;
