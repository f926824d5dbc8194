import { EksCluster, type EksClusterConfig } from "@cdktf/provider-aws/lib/eks-cluster";
import type { Construct } from "constructs";

/** A compliant EKS cluster; `over` replaces top-level settings. */
export function eksCluster(scope: Construct, id: string, over: Partial<EksClusterConfig> = {}): EksCluster {
  return new EksCluster(scope, id, {
    name: id.toLowerCase(),
    roleArn: "arn:aws:iam::123456789012:role/cluster",
    version: "1.35",
    vpcConfig: {
      subnetIds: ["subnet-1", "subnet-2"],
      endpointPrivateAccess: true,
      endpointPublicAccess: false,
    },
    encryptionConfig: {
      resources: ["secrets"],
      provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" },
    },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    lifecycle: { preventDestroy: true },
    ...over,
  });
}
