import { MskCluster, type MskClusterConfig } from "@cdktf/provider-aws/lib/msk-cluster";
import type { Construct } from "constructs";

/** A compliant MSK cluster; `over` replaces top-level settings. */
export function mskCluster(scope: Construct, id: string, over: Partial<MskClusterConfig> = {}): MskCluster {
  return new MskCluster(scope, id, {
    clusterName: id.toLowerCase(),
    kafkaVersion: "3.9.x",
    numberOfBrokerNodes: 3,
    brokerNodeGroupInfo: {
      instanceType: "kafka.m7g.large",
      clientSubnets: ["a", "b", "c"],
      securityGroups: ["sg-1"],
    },
    encryptionInfo: {
      encryptionAtRestKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc",
      encryptionInTransit: { clientBroker: "TLS", inCluster: true },
    },
    clientAuthentication: { sasl: { iam: true }, unauthenticated: false },
    loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: "/aws/msk/x" } } },
    lifecycle: { preventDestroy: true },
    ...over,
  });
}
