import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../../core/pod-security";
import { heapFromMemory, type LoggingConfig, type NodeSetConfig } from "../config";
import { ELASTICSEARCH_NAME, ELASTICSEARCH_SERVICE_ACCOUNT, STORAGE_CLASS } from "../names";

/**
 * The `Elasticsearch` custom resource (elasticsearch.k8s.elastic.co/v1, ECK 3.5), as a plain object validated
 * against the CRD in tests.
 */

export const ELASTICSEARCH_API = "elasticsearch.k8s.elastic.co/v1";
const ZONE_LABEL = "topology.kubernetes.io/zone";
/** The user and group of the Elasticsearch image. */
const ES_UID = 1000;
/** Where repository-s3 looks for a web identity token (a fixed path below the config directory). */
const TOKEN_DIR = "/usr/share/elasticsearch/config/repository-s3";
const TOKEN_FILE = "aws-web-identity-token-file";

type Manifest = Record<string, unknown>;

export interface ElasticsearchProps {
  readonly config: LoggingConfig;
  readonly namespace: string;
  /** @default ELASTICSEARCH_NAME */
  readonly name?: string;
  /** IRSA role of the snapshot repository; unset when snapshots are off. */
  readonly snapshotRoleArn?: string;
  /** @default STORAGE_CLASS */
  readonly storageClass?: string;
  /** Users and roles ECK loads from Secrets (`spec.auth`): the collector's writer. @default - none */
  readonly auth?: { readonly fileRealmSecrets: readonly string[]; readonly roleSecrets: readonly string[] };
}

/** The heap a node set runs with: the configured one, else derived from its memory. */
export function nodeSetHeap(set: NodeSetConfig): string {
  return set.heap ?? heapFromMemory(set.memory);
}

function podTemplate(props: ElasticsearchProps, setName: string, set: NodeSetConfig): Manifest {
  const name = props.name ?? ELASTICSEARCH_NAME;
  const heap = nodeSetHeap(set);
  const env: Manifest[] = [
    { name: "ES_JAVA_OPTS", value: `-Xms${heap} -Xmx${heap}` },
    // The node's zone, exposed by ECK from the node label (see the downward-node-labels annotation).
    { name: "ZONE", valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${ZONE_LABEL}']` } } },
  ];
  const volumes: Manifest[] = [];
  const mounts: Manifest[] = [];
  if (props.snapshotRoleArn) {
    // repository-s3 reads the IRSA token only from below its config directory, not from the path the EKS
    // webhook mounts; the kit projects its own token there, for STS only, with the role beside it.
    env.push(
      { name: "AWS_ROLE_ARN", value: props.snapshotRoleArn },
      { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: `${TOKEN_DIR}/${TOKEN_FILE}` },
    );
    volumes.push({
      name: "aws-web-identity-token",
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: "sts.amazonaws.com",
              expirationSeconds: 86400,
              path: TOKEN_FILE,
            },
          },
        ],
      },
    });
    mounts.push({ name: "aws-web-identity-token", mountPath: TOKEN_DIR, readOnly: true });
  }
  return {
    spec: {
      ...(props.snapshotRoleArn ? { serviceAccountName: ELASTICSEARCH_SERVICE_ACCOUNT } : {}),
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurityContext({
        runAsUser: ES_UID,
        runAsGroup: ES_UID,
        fsGroup: ES_UID,
      }),
      // One node per zone before a second lands in any zone; with zone awareness below, the copies of a shard
      // sit in different zones, so losing a zone loses no data.
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: ZONE_LABEL,
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: {
            matchLabels: {
              "elasticsearch.k8s.elastic.co/cluster-name": name,
              "elasticsearch.k8s.elastic.co/statefulset-name": `${name}-es-${setName}`,
            },
          },
        },
      ],
      containers: [
        {
          name: "elasticsearch",
          env,
          resources: {
            requests: { cpu: set.cpu, memory: set.memory },
            limits: { memory: set.memory },
          },
          // ECK gives its init containers the main container's security context. Its own filesystem
          // layout needs a writable root in some ES versions, so the image decides about read-only root.
          securityContext: restrictedContainerSecurityContext({
            runAsUser: ES_UID,
            runAsGroup: ES_UID,
            readOnlyRootFilesystem: "unset",
          }),
          ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
        },
      ],
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  };
}

function nodeSet(props: ElasticsearchProps, setName: string, set: NodeSetConfig): Manifest {
  return {
    name: setName,
    count: set.count,
    config: {
      "node.roles": set.roles,
      // mmap needs vm.max_map_count ≥ 262144 on the host, which only a privileged init container (sysctl) can
      // set; PSS restricted forbids that. niofs instead costs some search speed on large indices, which log
      // search can afford.
      "node.store.allow_mmap": false,
      // Shard allocation awareness: no two copies of a shard in one zone (nor on one Kubernetes node).
      // `$${…}` is Terraform's escape: the manifest carries `${ZONE}`, which Elasticsearch resolves from the env.
      "node.attr.zone": "$${ZONE}",
      "cluster.routing.allocation.awareness.attributes": "k8s_node_name,zone",
    },
    podTemplate: podTemplate(props, setName, set),
    volumeClaimTemplates: [
      {
        // ECK mounts the claim named elasticsearch-data as the data path.
        metadata: { name: "elasticsearch-data" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: props.storageClass ?? STORAGE_CLASS,
          resources: { requests: { storage: `${set.storageGiB}Gi` } },
        },
      },
    ],
  };
}

/**
 * Elasticsearch: node sets from config, spread over the zones with shard allocation awareness, encrypted gp3
 * volumes, security and TLS on. The HTTP layer keeps ECK's self-signed certificate (CA in
 * `<name>-es-http-certs-public`): clients are in-cluster and trust that CA explicitly.
 */
export function elasticsearchResource(props: ElasticsearchProps): Manifest {
  const eck = props.config.eck;
  return {
    apiVersion: ELASTICSEARCH_API,
    kind: "Elasticsearch",
    metadata: {
      name: props.name ?? ELASTICSEARCH_NAME,
      namespace: props.namespace,
      // ECK copies these node labels onto the pods as annotations (the ZONE variable above reads it).
      annotations: { "eck.k8s.elastic.co/downward-node-labels": ZONE_LABEL },
    },
    spec: {
      version: eck.version,
      http: { tls: { selfSignedCertificate: { disabled: false } } },
      ...(props.auth
        ? {
            auth: {
              fileRealm: props.auth.fileRealmSecrets.map((secretName) => ({ secretName })),
              roles: props.auth.roleSecrets.map((secretName) => ({ secretName })),
            },
          }
        : {}),
      nodeSets: Object.entries(eck.nodeSets).map(([n, s]) => nodeSet(props, n, s)),
    },
  };
}
