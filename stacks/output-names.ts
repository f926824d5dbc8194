/**
 * The stacks' Terraform output names, public API: `terraform output` users, team stacks and `PlatformReference`
 * read them. One list, used by the stacks that write them and by the reference that reads them.
 */
export const FOUNDATION_OUTPUTS = {
  clusterName: "cluster_name",
  clusterEndpoint: "cluster_endpoint",
  updateKubeconfigCommand: "update_kubeconfig_command",
  clusterOidcProviderArn: "cluster_oidc_provider_arn",
  vpcId: "vpc_id",
  ecrRepositoryUrls: "ecr_repository_urls",
  ecrRepositoryArns: "ecr_repository_arns",
  ecrPushRoleArn: "ecr_push_role_arn",
  dataLakeBuckets: "data_lake_buckets",
  dataLakeAlarmTopicArn: "data_lake_alarm_topic_arn",
} as const;

export const PLATFORM_OUTPUTS = {
  serviceAccountRoleArns: "service_account_role_arns",
  kafkaBootstrapServers: "kafka_bootstrap_servers",
  mlflowUrl: "mlflow_url",
} as const;
