import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Construct } from "constructs";
import { ServiceAccountRole, type ServiceAccountRoleMode } from "../cluster/service-account-role";
import { invalidProp } from "../cluster/validation";
import type { PolicyStatement } from "../core/addon";
import { mergeTags, type Tags } from "../core/tags";
import { type TeamLakeAccessProps, teamLakeStatements } from "./lake-access";
import { teamNamespace, teamServiceAccount, teamTags } from "./naming";

const TEAM_NAME = /^[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?$/;

/** The cluster the team's namespace lives in, as `ServiceAccountRole` needs it. */
export interface TeamCluster {
  readonly clusterName: string;
  /** @default - required with mode "irsa" */
  readonly oidcProviderArn?: string;
  /** @default - required with mode "irsa" */
  readonly oidcIssuerUrl?: string;
}

export interface TeamWorkloadRoleProps {
  /** The team's name (a DNS label of 1-20 characters). */
  readonly team: string;
  /** The team environment: the role's subject is `team-<name>` in namespace `team-<name>-<env>`. */
  readonly environment: string;
  readonly cluster: TeamCluster;
  /** IRSA or Pod Identity: the platform's choice for its add-ons. @default "pod-identity" */
  readonly mode?: ServiceAccountRoleMode;
  /** IAM role name (64 characters at most). */
  readonly roleName: string;
  /** The team's data lake grant. @default - no lake access */
  readonly lake?: Omit<TeamLakeAccessProps, "team">;
  /** Further statements of the team's own resources (its MSK topics, Lake Formation data access). @default [] */
  readonly statements?: readonly PolicyStatement[];
  /** @default - none */
  readonly permissionsBoundaryArn?: string;
  /** Added to the team tag. @default {} */
  readonly tags?: Tags;
}

/**
 * The one IAM role of a team environment's workloads, for the service account `team-<name>` of its namespace
 * (IRSA or Pod Identity, as the platform's add-ons): read-write on the team's lake prefix, read on shared zones,
 * the lake key through S3 only, plus what the caller adds for the team's own Kafka topics; nothing else.
 */
export class TeamWorkloadRole extends Construct {
  readonly role: ServiceAccountRole;
  readonly roleArn: string;
  readonly roleName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Every statement of the role's inline policy. */
  readonly statements: readonly PolicyStatement[];

  constructor(scope: Construct, id: string, props: TeamWorkloadRoleProps) {
    super(scope, id);
    if (!TEAM_NAME.test(props.team)) {
      throw invalidProp("team", props.team, "a DNS label of 1-20 characters [a-z0-9-]");
    }
    this.namespace = teamNamespace(props.team, props.environment);
    this.serviceAccount = teamServiceAccount(props.team);
    this.statements = [
      ...(props.lake ? teamLakeStatements({ ...props.lake, team: props.team }) : []),
      ...(props.statements ?? []),
    ];
    const inlinePolicies: Record<string, string> = {};
    if (this.statements.length > 0) {
      inlinePolicies["team-access"] = new DataAwsIamPolicyDocument(this, "AccessPolicy", {
        statement: [...this.statements],
      }).json;
    }
    this.role = new ServiceAccountRole(this, "Role", {
      clusterName: props.cluster.clusterName,
      oidcProviderArn: props.cluster.oidcProviderArn,
      oidcIssuerUrl: props.cluster.oidcIssuerUrl,
      mode: props.mode,
      namespace: this.namespace,
      serviceAccount: this.serviceAccount,
      roleName: props.roleName,
      permissionsBoundaryArn: props.permissionsBoundaryArn,
      inlinePolicies,
      tags: mergeTags(props.tags, teamTags(props.team)),
    });
    this.roleArn = this.role.roleArn;
    this.roleName = this.role.roleName;
  }
}
