import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LakeformationResource } from "@cdktf/provider-aws/lib/lakeformation-resource";
import { Construct } from "constructs";
import type { PolicyStatement } from "../core/addon";
import { AwsContext } from "../core/aws-context";
import { mergeTags, type Tags } from "../core/tags";
import { pascalCase } from "./naming";

export interface LakeFormationRegistrationProps {
  /** Bucket ARN per zone; each bucket is registered as a data location. */
  readonly bucketArns: Readonly<Record<string, string>>;
  /** Statements of the created role's inline policy (read and write on the buckets and the lake key). */
  readonly roleStatements: readonly PolicyStatement[];
  /** Name of the created role. */
  readonly roleName: string;
  /** Bring-your-own registration role. @default - a dedicated role is created */
  readonly roleArn?: string;
  readonly tags?: Tags;
}

/**
 * Registers the lake buckets with Lake Formation under a dedicated role. Not the service-linked role: its
 * permissions are fixed and do not cover a customer-managed KMS key unless the key policy names it, whereas
 * the dedicated role gets key use through IAM (the kit's key policy delegates to IAM).
 */
export class LakeFormationRegistration extends Construct {
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: LakeFormationRegistrationProps) {
    super(scope, id);
    const grants: IamRolePolicy[] = [];
    if (props.roleArn) {
      this.roleArn = props.roleArn;
    } else {
      const aws = AwsContext.of(this);
      const trust = new DataAwsIamPolicyDocument(this, "TrustPolicy", {
        statement: [
          {
            effect: "Allow",
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: ["lakeformation.amazonaws.com"] }],
            condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] }],
          },
        ],
      });
      const role = new IamRole(this, "Role", {
        name: props.roleName,
        description: "Lake Formation data access to the data lake buckets",
        assumeRolePolicy: trust.json,
        tags: mergeTags(props.tags),
      });
      const access = new DataAwsIamPolicyDocument(this, "AccessPolicy", {
        statement: [...props.roleStatements],
      });
      // Lake Formation vends credentials of this role for the locations: they wait for its permissions.
      grants.push(
        new IamRolePolicy(this, "RolePolicy", {
          name: "data-lake-access",
          role: role.name,
          policy: access.json,
        }),
      );
      this.roleArn = role.arn;
    }
    for (const [zone, arn] of Object.entries(props.bucketArns)) {
      new LakeformationResource(this, `${pascalCase(zone)}Location`, {
        arn,
        roleArn: this.roleArn,
        useServiceLinkedRole: false,
        dependsOn: grants,
      });
    }
  }
}
