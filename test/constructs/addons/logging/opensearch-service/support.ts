import type { TerraformStack } from "cdktf";
import {
  OpenSearchBootstrap,
  type OpenSearchServiceConfigInput,
  OpenSearchServiceDomain,
  type OpenSearchServiceDomainProps,
  parseOpenSearchServiceConfig,
  writerSecurityRequests,
} from "../../../../../constructs/addons/logging/opensearch-service";
import { PlatformNamespace } from "../../../../../constructs/core";
import { probeAddOn } from "../../../../support/addons";
import { TEST_PLATFORM } from "../../../../support/cluster";
import { type SynthJson, synthStack } from "../../../../support/synth";

// Literals of test/support/cluster.ts, written out so a construct that reads the wrong field fails.
export const PLATFORM_KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555";
export const CLUSTER_SG = "sg-0123456789abcdef0";
export const WRITER = "arn:aws:iam::123456789012:role/acme-dev-log-collector";

export type { Json } from "../../../../support/manifests";

import type { Json } from "../../../../support/manifests";

/** Props as the logging add-on passes them, from the test platform and cluster. */
export function domainProps(
  config: OpenSearchServiceConfigInput = {},
  overrides: Partial<OpenSearchServiceDomainProps> = {},
): OpenSearchServiceDomainProps {
  return {
    config: parseOpenSearchServiceConfig(config),
    namePrefix: TEST_PLATFORM.prefix,
    vpcId: TEST_PLATFORM.vpcId,
    privateSubnetIds: TEST_PLATFORM.privateSubnetIds,
    kmsKeyArn: PLATFORM_KEY,
    clientSecurityGroupIds: [CLUSTER_SG],
    writerRoleArns: [WRITER],
    ...overrides,
  };
}

/** Synthesizes one domain in a stack and returns the parsed JSON and the construct. */
export function synthDomain(
  config: OpenSearchServiceConfigInput = {},
  overrides: Partial<OpenSearchServiceDomainProps> = {},
  build?: (stack: TerraformStack, domain: OpenSearchServiceDomain) => void,
): { json: SynthJson & Json; domain: OpenSearchServiceDomain } {
  let domain: OpenSearchServiceDomain | undefined;
  const json = synthStack((stack) => {
    domain = new OpenSearchServiceDomain(stack, "Logging", domainProps(config, overrides));
    build?.(stack, domain);
  });
  return { json: json as SynthJson & Json, domain: domain as OpenSearchServiceDomain };
}

/**
 * The domain, the collector's grant and the bootstrap Job as the logging add-on builds them (add-on id
 * `logging`, a restricted namespace), for the policy suites.
 */
export function loggingProbe(masterUserArn?: string, overrides: Partial<OpenSearchServiceDomainProps> = {}) {
  return probeAddOn("logging", [], (c) => {
    const namespace = new PlatformNamespace(c.scope, "Namespace", {
      name: "logging",
      provider: c.cluster.kubernetesProvider,
    });
    const domain = new OpenSearchServiceDomain(
      c.scope,
      "OpenSearch",
      domainProps({ masterUserArn }, overrides),
    );
    domain.grantWrite("collector", { roleName: "acme-dev-log-collector" });
    return new OpenSearchBootstrap(c.scope, "OpenSearchBootstrap", {
      cluster: c.cluster,
      namespace,
      endpoint: domain.endpoint,
      masterUserArn: domain.masterUserArn,
      requests: writerSecurityRequests({ writerRoleArns: [WRITER], indexPatterns: ["logs-containers-*"] }),
    });
  });
}
