import type { PolicyRule } from "../types";
import { ec2Imdsv2 } from "./ec2-imdsv2";
import { ec2PublicIngress } from "./ec2-public-ingress";
import { ecrCustomerKey } from "./ecr-cmk";
import { ecrImmutableTags } from "./ecr-immutable-tags";
import { ecrScanOnPush } from "./ecr-scan-on-push";
import { eksControlPlaneLogs } from "./eks-control-plane-logs";
import { eksEndpoint } from "./eks-endpoint";
import { eksSecretsEncryption } from "./eks-secrets-encryption";
import { eksVersion } from "./eks-version";
import { iamNoAdmin } from "./iam-no-admin";
import { iamWorkloadTrust } from "./iam-workload-trust";
import { k8sNamespaceDefaultDeny } from "./k8s-namespace-default-deny";
import { k8sNamespacePss } from "./k8s-namespace-pss";
import { k8sPodSecurity } from "./k8s-pod-security";
import { k8sProbes } from "./k8s-probes";
import { k8sResources } from "./k8s-resources";
import { kmsRotation } from "./kms-rotation";
import { logGroupKms } from "./logs-kms";
import { logGroupRetention } from "./logs-retention";
import { mskBrokerLogs } from "./msk-broker-logs";
import { mskClientAuth } from "./msk-client-auth";
import { mskCustomerKey } from "./msk-cmk";
import { mskTls } from "./msk-tls";
import { rdsBackups } from "./rds-backups";
import { rdsDeletionProtection } from "./rds-deletion-protection";
import { rdsEncrypted } from "./rds-encrypted";
import { rdsMultiAz } from "./rds-multi-az";
import { rdsPrivate } from "./rds-private";
import { s3AccessLogging } from "./s3-access-logging";
import { s3PublicAccessBlock } from "./s3-public-access-block";
import { s3SseKms } from "./s3-sse-kms";
import { s3TlsOnly } from "./s3-tls-only";
import { s3Versioning } from "./s3-versioning";
import { stateBackend } from "./state-backend";
import { statefulPreventDestroy } from "./stateful-prevent-destroy";

/** Every rule of the pack, in report order. */
export const RULES: readonly PolicyRule[] = [
  s3SseKms,
  s3Versioning,
  s3PublicAccessBlock,
  s3TlsOnly,
  s3AccessLogging,
  eksEndpoint,
  eksSecretsEncryption,
  eksControlPlaneLogs,
  eksVersion,
  ec2Imdsv2,
  ec2PublicIngress,
  iamNoAdmin,
  iamWorkloadTrust,
  rdsEncrypted,
  rdsPrivate,
  rdsBackups,
  rdsDeletionProtection,
  rdsMultiAz,
  mskTls,
  mskCustomerKey,
  mskClientAuth,
  mskBrokerLogs,
  ecrImmutableTags,
  ecrCustomerKey,
  ecrScanOnPush,
  kmsRotation,
  logGroupKms,
  logGroupRetention,
  statefulPreventDestroy,
  stateBackend,
  k8sPodSecurity,
  k8sResources,
  k8sProbes,
  k8sNamespacePss,
  k8sNamespaceDefaultDeny,
];

export {
  ec2Imdsv2,
  ec2PublicIngress,
  ecrCustomerKey,
  ecrImmutableTags,
  ecrScanOnPush,
  eksControlPlaneLogs,
  eksEndpoint,
  eksSecretsEncryption,
  eksVersion,
  iamNoAdmin,
  iamWorkloadTrust,
  k8sNamespaceDefaultDeny,
  k8sNamespacePss,
  k8sPodSecurity,
  k8sProbes,
  k8sResources,
  kmsRotation,
  logGroupKms,
  logGroupRetention,
  mskBrokerLogs,
  mskClientAuth,
  mskCustomerKey,
  mskTls,
  rdsBackups,
  rdsDeletionProtection,
  rdsEncrypted,
  rdsMultiAz,
  rdsPrivate,
  s3AccessLogging,
  s3PublicAccessBlock,
  s3SseKms,
  s3TlsOnly,
  s3Versioning,
  stateBackend,
  statefulPreventDestroy,
};
