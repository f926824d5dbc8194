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

/** Body of the role Grafana reads logs with: search the log indices, nothing else. */
export function logReaderRole(backend: ResolvedLogBackend) {
  return {
    [LOG_READER]: {
      cluster: ["monitor"],
      indices: [{ names: [backend.indexPattern], privileges: ["read", "view_index_metadata"] }],
    },
  };
}

/** The Elasticsearch user Grafana's data source queries as. */
export const LOG_READER = "grafana-reader";

interface UserAccessBase {
  readonly context: AddOnContext;
  readonly backend: ResolvedLogBackend;
  /** Namespace of Elasticsearch. */
  readonly namespace: string;
  /** Its resource: the Secret and RBAC objects there are created after it. */
  readonly namespaceResource?: ITerraformDependable;
  readonly elasticsearchName: string;
  /** Namespace of the client, where its copies of the credentials and the CA land. */
  readonly clientNamespace: string;
}

export type ElasticsearchWriterAccessProps = UserAccessBase;

/** A copy External Secrets makes in the client namespace: target Secret, keys read, optional template. */
interface CopySpec {
  readonly id: string;
  readonly name: string;
  readonly data: readonly { readonly secretKey: string; readonly key: string; readonly property: string }[];
  readonly template?: Record<string, unknown>;
}

/**
 * One least-privilege Elasticsearch user for a client in another namespace. Its password is generated in the
 * cluster by External Secrets into a `kubernetes.io/basic-auth` Secret that ECK loads into the file realm
 * (`spec.auth.fileRealm`, with its role from `spec.auth.roles`); External Secrets' Kubernetes provider then
 * copies what the client needs into its namespace, through a service account allowed `get` on exactly the
 * user's Secret and the HTTP CA. No password passes through Terraform.
 */
abstract class ElasticsearchUserAccess extends Construct {
  /** In the Elasticsearch namespace: for `spec.auth` of the Elasticsearch resource. */
  readonly userSecretName: string;
  readonly roleSecretName: string;
  /**
   * The service account External Secrets reads as, in the client namespace (depend it on that namespace);
   * a manifest instead when the client namespace belongs to an add-on this one does not depend on.
   */
  readonly copierServiceAccount?: ServiceAccountV1;
  protected readonly httpCa: string;

  /** ECK's Secret with the HTTP CA (`ca.crt`), in the Elasticsearch namespace. */
  httpCaName(): string {
    return this.httpCa;
  }

  constructor(
    scope: Construct,
    id: string,
    props: UserAccessBase,
    user: {
      readonly name: string;
      readonly idPrefix: string;
      readonly role: Record<string, unknown>;
      readonly serviceAccountAsManifest?: boolean;
    },
    copies: (self: ElasticsearchUserAccess) => CopySpec[],
  ) {
    super(scope, id);
    const { context, namespace, clientNamespace } = props;
    const provider = context.cluster.kubernetesProvider;
    const dependsOn = props.namespaceResource ? [props.namespaceResource] : undefined;
    this.httpCa = eckNames(props.elasticsearchName).httpCaSecret;
    this.userSecretName = `${user.name}-user`;
    this.roleSecretName = `${user.name}-role`;
    generatedSecret(context, {
      id: `${user.idPrefix}User`,
      namespace,
      name: this.userSecretName,
      keys: { password: { length: 32 } },
      literals: { username: user.name, roles: user.name },
      type: "kubernetes.io/basic-auth",
    });
    // The role definition is not secret; ECK reads roles only from Secrets.
    new SecretV1(this, "Role", {
      provider,
      metadata: { name: this.roleSecretName, namespace },
      data: { "roles.yml": stringify(user.role) },
      dependsOn,
    });

    const reader = `${user.name}-copier`;
    if (user.serviceAccountAsManifest) {
      // Applied with the custom resources, after every add-on's namespace exists.
      context.manifest(`${user.idPrefix}CopierServiceAccount`, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: reader, namespace: clientNamespace },
        automountServiceAccountToken: false,
      });
    } else {
      this.copierServiceAccount = new ServiceAccountV1(this, "CopierServiceAccount", {
        provider,
        metadata: { name: reader, namespace: clientNamespace },
        // Only ESO's controller uses it, through the TokenRequest API; no pod mounts it.
        automountServiceAccountToken: false,
      });
    }
    new RoleV1(this, "CopierRole", {
      provider,
      metadata: { name: `${clientNamespace}-${reader}`, namespace },
      rule: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: [this.userSecretName, this.httpCa],
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
    const store = `${user.name}-source`;
    context.manifest(`${user.idPrefix}SecretStore`, {
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
    for (const c of copies(this)) {
      context.manifest(c.id, {
        apiVersion: EXTERNAL_SECRET_API,
        kind: "ExternalSecret",
        metadata: { name: c.name, namespace: clientNamespace },
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { name: store, kind: "SecretStore" },
          target: {
            name: c.name,
            creationPolicy: "Owner",
            deletionPolicy: "Retain",
            ...(c.template ? { template: c.template } : {}),
          },
          data: c.data.map((d) => ({
            secretKey: d.secretKey,
            remoteRef: { key: d.key, property: d.property },
          })),
        },
      });
    }
  }
}

/** The collector's user `log-writer`: its credentials and the HTTP CA copied into the collector's namespace. */
export class ElasticsearchWriterAccess extends ElasticsearchUserAccess {
  /** In the client namespace: keys `username` and `password`. */
  readonly credentialsSecretName = `${LOG_WRITER}-credentials`;
  /** In the client namespace: key `ca.crt`. */
  readonly caSecretName = "elasticsearch-http-ca";

  constructor(scope: Construct, id: string, props: ElasticsearchWriterAccessProps) {
    super(
      scope,
      id,
      props,
      { name: LOG_WRITER, idPrefix: "LogWriter", role: logWriterRole(props.backend) },
      (self) => [
        {
          id: "LogWriterCredentials",
          name: `${LOG_WRITER}-credentials`,
          data: ["username", "password"].map((k) => ({
            secretKey: k,
            key: self.userSecretName,
            property: k,
          })),
        },
        {
          id: "LogWriterCa",
          name: "elasticsearch-http-ca",
          data: [{ secretKey: "ca.crt", key: self.httpCaName(), property: "ca.crt" }],
        },
      ],
    );
  }
}

export interface GrafanaDatasourceProps extends UserAccessBase {
  /** Elasticsearch's in-cluster URL. */
  readonly url: string;
  /** Label and value Grafana's datasource sidecar loads Secrets by. */
  readonly label: { readonly key: string; readonly value: string };
}

/**
 * Grafana's Elasticsearch data source: the user `grafana-reader` (read on the log indices only) and a Secret in
 * the monitoring namespace, labelled for Grafana's datasource sidecar, whose provisioning file External Secrets
 * renders with the copied password and CA (TLS verified, basic auth).
 */
export class GrafanaElasticsearchDatasource extends ElasticsearchUserAccess {
  readonly datasourceSecretName = "elasticsearch-logs-datasource";

  constructor(scope: Construct, id: string, props: GrafanaDatasourceProps) {
    super(
      scope,
      id,
      props,
      {
        name: LOG_READER,
        idPrefix: "GrafanaReader",
        role: logReaderRole(props.backend),
        serviceAccountAsManifest: true,
      },
      (self) => [
        {
          id: "GrafanaDatasource",
          name: "elasticsearch-logs-datasource",
          data: [
            { secretKey: "password", key: self.userSecretName, property: "password" },
            { secretKey: "ca", key: self.httpCaName(), property: "ca.crt" },
          ],
          template: {
            engineVersion: "v2",
            metadata: { labels: { [props.label.key]: props.label.value } },
            data: { "elasticsearch-logs.yaml": datasourceTemplate(props.url, props.backend) },
          },
        },
      ],
    );
  }
}

/** Grafana's provisioning file, as an ESO template (`{{ .password }}`, the CA indented into a block). */
export function datasourceTemplate(url: string, backend: ResolvedLogBackend): string {
  return [
    "apiVersion: 1",
    "datasources:",
    "  - name: Logs",
    "    uid: logs-elasticsearch",
    "    type: elasticsearch",
    "    access: proxy",
    `    url: ${url}`,
    "    basicAuth: true",
    `    basicAuthUser: ${LOG_READER}`,
    "    jsonData:",
    `      index: "${backend.indexPattern}"`,
    '      timeField: "@timestamp"',
    "      tlsAuthWithCACert: true",
    "    secureJsonData:",
    '      basicAuthPassword: "{{ .password }}"',
    "      tlsCACert: |{{ .ca | nindent 8 }}",
    "",
  ].join("\n");
}
