import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import type { IClusterContext, IServiceAccountRole } from "../../../core/cluster-contract";
import type { PlatformNamespace } from "../../../core/platform-namespace";
import { scriptJobSpec } from "../../../core/script-job";
import { ARN } from "../../../primitives";
import type { SecurityApiRequest } from "./access";
import { BOOTSTRAP_SCRIPT, requestFiles } from "./bootstrap-script";

/** curl for the bootstrap Job: the curl project's Alpine image (busybox sh, sed), user `curl_user` = 100:101. */
export const CURL_IMAGE = "docker.io/curlimages/curl:8.11.1";
const CURL_UID = 100;
const CURL_GID = 101;

export interface OpenSearchBootstrapProps {
  readonly cluster: IClusterContext;
  /** The logging add-on's namespace (restricted, default-deny); the Job gets HTTPS egress in it. */
  readonly namespace: PlatformNamespace;
  /** `OpenSearchServiceDomain.endpoint`. */
  readonly endpoint: string;
  /** `OpenSearchServiceDomain.masterUserArn`: the role the Job assumes to act as the FGAC master user. */
  readonly masterUserArn: string;
  /** What to apply, e.g. `writerSecurityRequests(…)`; PUTs only, so a re-run is harmless. */
  readonly requests: readonly SecurityApiRequest[];
  /** Job, ConfigMap and service account name. @default "opensearch-bootstrap" */
  readonly name?: string;
}

/**
 * A Job in the cluster (inside the VPC, where the private endpoint is reachable) that applies the domain's
 * security-plugin requests as the FGAC master user: its IRSA role may only `sts:AssumeRole` the master role,
 * and the script (`BOOTSTRAP_SCRIPT`) signs every call with SigV4. The master role must trust the Job's role:
 * the default `<prefix>-logs-admin` trusts the account, so the identity policy here is enough; a configured
 * `masterUserArn` needs the Job role in its trust policy. Like the kit's database bootstrap, the apply does not
 * wait for the Job; it retries (backoff) until the domain answers. The Job's name carries a hash of what it
 * applies, so a changed request set runs again.
 */
export class OpenSearchBootstrap extends Construct {
  readonly role: IServiceAccountRole;
  readonly job: JobV1;
  readonly requests: ConfigMapV1;
  readonly podLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: OpenSearchBootstrapProps) {
    super(scope, id);
    const name = props.name ?? "opensearch-bootstrap";
    const ns = props.namespace.name;
    const provider = props.cluster.kubernetesProvider;
    const master = props.masterUserArn;
    if (!Token.isUnresolved(master) && !(ARN.iamPrincipal.test(master) && master.includes(":role/"))) {
      throw new Error(
        `Invalid addons.logging.openSearchService.masterUserArn: got ${JSON.stringify(master)}; expected an IAM role ARN for the bootstrap Job to assume (a user cannot be assumed).`,
      );
    }
    const files = requestFiles(props.requests);
    this.podLabels = {
      "app.kubernetes.io/name": name,
      "app.kubernetes.io/component": "opensearch-bootstrap",
    };

    this.role = props.cluster.serviceAccountRole(`${name}-role`, {
      namespace: ns,
      serviceAccount: name,
      mode: "irsa",
      inlinePolicies: {
        "assume-opensearch-master": JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "BecomeMaster", Effect: "Allow", Action: "sts:AssumeRole", Resource: props.masterUserArn },
          ],
        }),
      },
    });
    const account = new ServiceAccountV1(this, "ServiceAccount", {
      provider,
      metadata: {
        name,
        namespace: ns,
        labels: this.podLabels,
        annotations: {
          "eks.amazonaws.com/role-arn": this.role.roleArn,
          "eks.amazonaws.com/sts-regional-endpoints": "true",
        },
      },
      automountServiceAccountToken: false,
      dependsOn: [props.namespace.resource],
    });
    this.requests = new ConfigMapV1(this, "Requests", {
      provider,
      metadata: { name, namespace: ns, labels: this.podLabels },
      data: { "bootstrap.sh": BOOTSTRAP_SCRIPT, ...files },
      dependsOn: [props.namespace.resource],
    });
    // STS and the domain, both on 443 (through the VPC's endpoints or NAT for STS).
    props.namespace.allowHttpsEgress(`${id}Https`, this.podLabels);

    // Named after a hash of the script and requests: a changed request set replaces the Job, which runs again.
    const hash = Fn.substr(Fn.sha256(Fn.jsonencode(this.requests.data)), 0, 10);
    this.job = new JobV1(this, "Job", {
      provider,
      metadata: { name: `${name}-${hash}`, namespace: ns, labels: this.podLabels },
      spec: scriptJobSpec(this.podLabels, {
        uid: CURL_UID,
        gid: CURL_GID,
        serviceAccountName: name,
        container: {
          name: "bootstrap",
          image: CURL_IMAGE,
          command: ["/bin/sh", "/bootstrap/bootstrap.sh"],
          env: [
            { name: "AWS_REGION", value: props.cluster.region },
            { name: "OPENSEARCH_ENDPOINT", value: props.endpoint },
            { name: "MASTER_ROLE_ARN", value: props.masterUserArn },
            { name: "REQUESTS_DIR", value: "/bootstrap" },
          ],
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
        },
        script: { volume: "bootstrap", configMap: this.requests.metadata.name, mountPath: "/bootstrap" },
      }),
      waitForCompletion: false,
      dependsOn: [account, this.requests],
    });
  }
}
