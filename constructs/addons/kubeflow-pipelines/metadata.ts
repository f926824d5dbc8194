import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { StatefulSetV1 } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import type { ITerraformDependable } from "cdktf";
import type { AddOnContext } from "../../core/addon";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../core/pod-security";
import { addOnDatabaseProps } from "../../database/addon-database";
import { RdsDatabase } from "../../database/rds-database";
import { generatedSecret, syncSecret } from "../external-secrets/sync-secret";
import { type DbConnection, METADATA_DB } from "./components";
import type { KubeflowPipelinesConfig } from "./config";
import type { KfpImages } from "./images";
import { KFP_APP_LABEL, secretEnv } from "./workloads";

/** The Secret KFP's upstream manifests read the database credentials from. */
export const MYSQL_SECRET = "mysql-secret";
export const MYSQL_PORT = 3306;
const MYSQL_LABELS = { app: "mysql" };

/** Key of `mysql-secret` holding ML Metadata's server config (RDS only). */
export const MLMD_CONFIG_KEY = "mlmd-config.textproto";

/**
 * ML Metadata's server config (protobuf text) for RDS, rendered by ESO from the synced secret. MLMD's command
 * line has no MySQL TLS flags and its MySQL client does not start TLS by itself, while the RDS parameter group
 * refuses plaintext; `ssl_options` in the config file makes it connect over TLS. The password is escaped for a
 * protobuf string (backslash, then double quote).
 */
export function mlmdMysqlConfig(host: string, port: number): string {
  return [
    "connection_config {",
    "  mysql {",
    `    host: "${host}"`,
    `    port: ${port}`,
    `    database: "${METADATA_DB}"`,
    '    user: "{{ .username }}"',
    String.raw`    password: "{{ .password | replace "\\" "\\\\" | replace "\"" "\\\"" }}"`,
    "    ssl_options { verify_server_cert: false }",
    "  }",
    "}",
    "migration_options { enable_upgrade_migration: true }",
    "",
  ].join("\n");
}

export interface MetadataStore {
  readonly db: DbConnection;
  /** Present with `store: "rds"`. */
  readonly rds?: RdsDatabase;
  /** Present with `store: "in-cluster"`. */
  readonly statefulSet?: StatefulSetV1;
}

/**
 * The MySQL both the API server (`mlpipeline`) and ML Metadata (`metadb`) use. RDS: encrypted with the platform
 * key, private, TLS-only, master password kept by RDS in Secrets Manager and synced into `mysql-secret` by
 * External Secrets. In-cluster: one MySQL pod on a gp3 volume, root password generated in the cluster by ESO.
 * Either way no password passes through Terraform.
 */
export function metadataStore(
  context: AddOnContext,
  config: KubeflowPipelinesConfig,
  namespace: string,
  images: KfpImages,
  dependsOn: ITerraformDependable[],
): MetadataStore {
  const m = config.metadata;
  if (m.store === "rds") {
    const rds = new RdsDatabase(
      context.scope,
      "Database",
      addOnDatabaseProps(context, {
        engine: "mysql",
        name: "kfp",
        databaseName: "mlpipeline",
        settings: {
          instanceClass: m.instanceClass,
          allocatedStorageGiB: m.storageGiB,
          multiAz: m.multiAz,
          backupRetentionInDays: m.backupRetentionInDays,
        },
        tags: context.platform.tags,
      }),
    );
    const synced = syncSecret(context, {
      id: "MysqlSecret",
      namespace,
      name: MYSQL_SECRET,
      secretArn: rds.masterSecretArn,
      kmsKeyArn: context.cluster.kmsKeyArn,
      template: {
        username: "{{ .username }}",
        password: "{{ .password }}",
        [MLMD_CONFIG_KEY]: mlmdMysqlConfig(rds.address, rds.port),
      },
    });
    return {
      rds,
      db: {
        host: rds.address,
        port: rds.port,
        secretName: synced.secretName,
        username: { fromSecret: true },
        // The parameter group sets require_secure_transport; go-sql-driver speaks TLS only when asked.
        // skip-verify: encrypted, but the RDS CA bundle is not in the image's trust store.
        extraParams: { tls: "skip-verify" },
        mlmdConfigKey: MLMD_CONFIG_KEY,
      },
    };
  }

  const secret = generatedSecret(context, {
    id: "MysqlSecret",
    namespace,
    name: MYSQL_SECRET,
    keys: { password: { length: 32, encoding: "hex" } },
  });
  const resources = config.resources.mysql;
  const statefulSet = new StatefulSetV1(context.scope, "Mysql", {
    provider: context.cluster.kubernetesProvider,
    metadata: { name: "mysql", namespace, labels: { ...MYSQL_LABELS, ...KFP_APP_LABEL } },
    spec: {
      serviceName: "mysql",
      replicas: "1",
      selector: { matchLabels: MYSQL_LABELS },
      template: {
        metadata: { labels: { ...MYSQL_LABELS, ...KFP_APP_LABEL } },
        spec: {
          // MySQL's image user (uid 999) owns the data dir through fsGroup; no root init step.
          securityContext: restrictedPodSecurityContext({
            runAsUser: "999",
            runAsGroup: "999",
            fsGroup: "999",
          }),
          automountServiceAccountToken: false,
          container: [
            {
              name: "mysql",
              image: images.mysql,
              args: ["--datadir=/var/lib/mysql/data", "--skip-name-resolve"],
              env: [secretEnv("MYSQL_ROOT_PASSWORD", secret.secretName, "password")],
              port: [{ name: "mysql", containerPort: MYSQL_PORT, protocol: "TCP" }],
              resources: {
                requests: { cpu: resources.cpu, memory: resources.memory },
                limits: { cpu: resources.cpuLimit, memory: resources.memory },
              },
              securityContext: restrictedContainerSecurityContext({ runAsUser: "999" }),
              volumeMount: [
                { name: "data", mountPath: "/var/lib/mysql" },
                { name: "run", mountPath: "/var/run/mysqld" },
                { name: "tmp", mountPath: "/tmp" },
              ],
              startupProbe: {
                tcpSocket: [{ port: String(MYSQL_PORT) }],
                periodSeconds: 5,
                failureThreshold: 60,
              },
              readinessProbe: { tcpSocket: [{ port: String(MYSQL_PORT) }], periodSeconds: 5 },
              livenessProbe: {
                tcpSocket: [{ port: String(MYSQL_PORT) }],
                periodSeconds: 10,
                failureThreshold: 6,
              },
            },
          ],
          volume: [
            { name: "run", emptyDir: { sizeLimit: "16Mi" } },
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
          ],
        },
      },
      volumeClaimTemplate: [
        {
          metadata: { name: "data" },
          spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: "gp3",
            resources: { requests: { storage: `${m.storageGiB}Gi` } },
          },
        },
      ],
      persistentVolumeClaimRetentionPolicy: [{ whenDeleted: "Retain", whenScaled: "Retain" }],
    },
    waitForRollout: false,
    dependsOn,
  });
  new ServiceV1(context.scope, "MysqlService", {
    provider: context.cluster.kubernetesProvider,
    metadata: { name: "mysql", namespace, labels: { ...MYSQL_LABELS, ...KFP_APP_LABEL } },
    spec: {
      type: "ClusterIP",
      selector: MYSQL_LABELS,
      port: [{ name: "mysql", port: MYSQL_PORT, targetPort: String(MYSQL_PORT), protocol: "TCP" }],
    },
    dependsOn,
  });
  return {
    statefulSet,
    db: {
      host: `mysql.${namespace}.svc.cluster.local`,
      port: MYSQL_PORT,
      secretName: secret.secretName,
      username: { value: "root" },
      extraParams: {},
    },
  };
}
