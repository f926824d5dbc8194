import type { PolicyStatement } from "../../../core/addon";

/**
 * Who may do what on the domain. Two layers decide: IAM (the domain's access policy and the caller's identity
 * policy, checked by the SigV4 signature) and fine-grained access control inside OpenSearch, which maps the
 * caller's IAM role (a "backend role") to OpenSearch roles. A writer needs both.
 */

/** HTTP methods a SigV4 log shipper uses: bulk writes (POST/PUT) and the reads its client may make (GET/HEAD). */
export const WRITER_HTTP_ACTIONS: readonly string[] = [
  "es:ESHttpPost",
  "es:ESHttpPut",
  "es:ESHttpGet",
  "es:ESHttpHead",
];

/**
 * IAM statement for a writer's role (the collector's IRSA role): the HTTP methods above on this domain's paths
 * only. Still subject to the FGAC role mapping (`writerSecurityRequests`).
 */
export function writerPolicyStatements(domainArn: string): PolicyStatement[] {
  return [
    {
      sid: "WriteLogsToOpenSearch",
      effect: "Allow",
      actions: [...WRITER_HTTP_ACTIONS],
      resources: [`${domainArn}/*`],
    },
  ];
}

/** The same statements as an IAM policy JSON document, e.g. for `ServiceAccountRole.inlinePolicies`. */
export function writerPolicy(domainArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: writerPolicyStatements(domainArn).map((s) => ({
      Sid: s.sid,
      Effect: s.effect,
      Action: s.actions,
      Resource: s.resources,
    })),
  });
}

/** One call of the OpenSearch REST API (security plugin, templates, ISM), made SigV4-signed as the FGAC master. */
export interface SecurityApiRequest {
  readonly method: "PUT";
  readonly path: string;
  readonly body: Record<string, unknown>;
  /**
   * A 409 counts as done: for APIs whose PUT creates but does not overwrite without a sequence number, such as
   * an ISM policy (`PUT _plugins/_ism/policies/<name>`). Such an object is then kept as it is. @default false
   */
  readonly keepExisting?: boolean;
}

export interface WriterSecurityOptions {
  /** IAM role ARNs of the writers (backend roles in FGAC terms). */
  readonly writerRoleArns: readonly string[];
  /** Index patterns the writers may create and index into, e.g. `["logs-containers-*"]`. */
  readonly indexPatterns: readonly string[];
  /** @default "log-writer" */
  readonly roleName?: string;
}

const ROLE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * The FGAC role and role mapping that let the writers index logs: `bulk` at cluster level (where the security
 * plugin checks `_bulk`), and `create_index` + `index` (create documents, update mappings; no delete, no read)
 * on the log indices only. The AWS provider has no resource for these (they live inside OpenSearch), so they
 * are applied once after the domain exists, from inside the VPC, as the master user (see README.md).
 */
export function writerSecurityRequests(options: WriterSecurityOptions): SecurityApiRequest[] {
  const roleName = options.roleName ?? "log-writer";
  if (!ROLE_NAME.test(roleName)) {
    throw new Error(
      `Invalid roleName: got ${JSON.stringify(roleName)}; expected lower-case letters, digits, '-' or '_', starting with a letter`,
    );
  }
  if (options.writerRoleArns.length === 0) {
    throw new Error("Invalid writerRoleArns: got []; expected at least one writer role ARN to map");
  }
  if (options.indexPatterns.length === 0 || options.indexPatterns.some((p) => p === "*" || p === "")) {
    throw new Error(
      `Invalid indexPatterns: got ${JSON.stringify(options.indexPatterns)}; expected the log index patterns (not "*"), like "logs-containers-*"`,
    );
  }
  return [
    {
      method: "PUT",
      path: `/_plugins/_security/api/roles/${roleName}`,
      body: {
        description: "Log collectors: create and index log documents, nothing else",
        cluster_permissions: ["indices:data/write/bulk"],
        index_permissions: [
          { index_patterns: [...options.indexPatterns], allowed_actions: ["create_index", "index"] },
        ],
      },
    },
    {
      method: "PUT",
      path: `/_plugins/_security/api/rolesmapping/${roleName}`,
      body: { backend_roles: [...options.writerRoleArns] },
    },
  ];
}
