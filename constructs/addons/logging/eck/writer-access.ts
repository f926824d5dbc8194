import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { stringify } from "yaml";
import type { AddOnContext } from "../../../core/addon";
import { EXTERNAL_SECRET_API, generatedSecret } from "../../external-secrets/sync-secret";
import type { ResolvedLogBackend } from "../backend";
import { eckNames } from "../names";

/** The Elasticsearch user the collector writes as, and its role: create documents and indices under the prefix. */
export const LOG_WRITER = "log-writer";

/** Body of the role: write-only on the log indices (no read, no delete), `monitor` for the client's version check. */
export function logWriterRole(backend: ResolvedLogBackend) {
  return {
    [LOG_WRITER]: {
      cluster: ["monitor"],
      indices: [{ names: [backend.indexPattern], privileges: ["create_doc", "create_index", "index"] }],
    },
  };
}

export interface ElasticsearchWriterAccessProps {
  readonly context: AddOnContext;
  readonly backend: ResolvedLogBackend;
  /** Namespace of Elasticsearch. */
  readonly namespace: string;
  /** Its resource: the Secret and RBAC objects there are created after it. */
  readonly namespaceResource?: ITerraformDependable;
  readonly elasticsearchName: string;
  /** Namespace of the client (the collector), where its copies of the credentials and the CA land. */
  readonly clientNamespace: string;
}

/**
 * A least-privilege user for the log collector, never the `elastic` superuser. Its password is generated in the
 * cluster by External Secrets into a `kubernetes.io/basic-auth` Secret that ECK loads into the file realm
 * (`spec.auth.fileRealm`, with the role from `spec.auth.roles`); External Secrets' Kubernetes provider then
 * copies the credentials and the HTTP CA into the collector's namespace, reading only those two Secrets. No
 * password passes through Terraform.
 */
export class ElasticsearchWriterAccess extends Construct {
  /** In the Elasticsearch namespace: for `spec.auth` of the Elasticsearch resource. */
  readonly userSecretName = `${LOG_WRITER}-user`;
  readonly roleSecretName = `${LOG_WRITER}-role`;
  /** In the client namespace: keys `username` and `password`. */
  readonly credentialsSecretName = `${LOG_WRITER}-credentials`;
  /** In the client namespace: key `ca.crt`. */
  readonly caSecretName = "elasticsearch-http-ca";
  /** The service account External Secrets reads as, in the client namespace (depend it on that namespace). */
  readonly copierServiceAccount: ServiceAccountV1;

  constructor(scope: Construct, id: string, props: ElasticsearchWriterAccessProps) {
    super(scope, id);
    const { context, namespace, clientNamespace } = props;
    const provider = context.cluster.kubernetesProvider;
    const dependsOn = props.namespaceResource ? [props.namespaceResource] : undefined;
    const httpCa = eckNames(props.elasticsearchName).httpCaSecret;
    generatedSecret(context, {
      id: "LogWriterUser",
      namespace,
      name: this.userSecretName,
      keys: { password: { length: 32 } },
      literals: { username: LOG_WRITER, roles: LOG_WRITER },
      type: "kubernetes.io/basic-auth",
    });
    // The role definition is not secret; ECK reads roles only from Secrets.
    new SecretV1(this, "Role", {
      provider,
      metadata: { name: this.roleSecretName, namespace },
      data: { "roles.yml": stringify(logWriterRole(props.backend)) },
      dependsOn,
    });

    const reader = `${LOG_WRITER}-copier`;
    this.copierServiceAccount = new ServiceAccountV1(this, "CopierServiceAccount", {
      provider,
      metadata: { name: reader, namespace: clientNamespace },
      // Only ESO's controller uses it, through the TokenRequest API; no pod mounts it.
      automountServiceAccountToken: false,
    });
    new RoleV1(this, "CopierRole", {
      provider,
      metadata: { name: `${clientNamespace}-${reader}`, namespace },
      rule: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: [this.userSecretName, httpCa],
          verbs: ["get"],
        },
      ],
      dependsOn,
    });
    new RoleBindingV1(this, "CopierRoleBinding", {
      provider,
      metadata: { name: `${clientNamespace}-${reader}`, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${clientNamespace}-${reader}` },
      subject: [{ kind: "ServiceAccount", name: reader, namespace: clientNamespace }],
      dependsOn,
    });
    const store = `${LOG_WRITER}-source`;
    context.manifest("LogWriterSecretStore", {
      apiVersion: EXTERNAL_SECRET_API,
      kind: "SecretStore",
      metadata: { name: store, namespace: clientNamespace },
      spec: {
        provider: {
          kubernetes: {
            remoteNamespace: namespace,
            server: { caProvider: { type: "ConfigMap", name: "kube-root-ca.crt", key: "ca.crt" } },
            auth: { serviceAccount: { name: reader } },
          },
        },
      },
    });
    const copy = (id: string, name: string, remote: string, keys: readonly string[]) =>
      context.manifest(id, {
        apiVersion: EXTERNAL_SECRET_API,
        kind: "ExternalSecret",
        metadata: { name, namespace: clientNamespace },
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { name: store, kind: "SecretStore" },
          target: { name, creationPolicy: "Owner", deletionPolicy: "Retain" },
          data: keys.map((k) => ({ secretKey: k, remoteRef: { key: remote, property: k } })),
        },
      });
    copy("LogWriterCredentials", this.credentialsSecretName, this.userSecretName, ["username", "password"]);
    copy("LogWriterCa", this.caSecretName, httpCa, ["ca.crt"]);
  }
}
