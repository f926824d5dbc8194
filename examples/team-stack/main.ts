import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { App, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { loadConfigFile } from "../../config";
import { MLFLOW_NAMESPACE, MLFLOW_PORT } from "../../constructs/addons/mlflow/names";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from "../../constructs/core/pod-security";
import { applyPlatformRulePack } from "../../constructs/policy/rule-pack";
import {
  teamKafkaTopicPrefix,
  teamLakePrefix,
  teamMlflowExperimentPrefix,
  teamStackName,
} from "../../constructs/teams/naming";
import { platformPrefix } from "../../stacks/naming";
import { TeamEnvironmentStack } from "../../stacks/team-stack";

/**
 * A team's own cdktf app: the team's environment on the shared platform (namespace, quota, network policies,
 * workload role, Kafka user…) plus the team's training job, which runs as the environment's service account
 * (so with its workload role: read-write on `teams/<team>/` only), logs to MLflow under the team's experiment
 * prefix and publishes to a topic under the team's prefix. In a team's repository the imports are the package's
 * entry points (`mlops-platform-kit/config`, `mlops-platform-kit/teams`, …); here they are relative.
 *
 * Environment: MLOPS_CONFIG (the platform's configuration; default examples/configs/teams.yaml), TEAM (default
 * fraud), TEAM_ENV (default the team's first environment), TRAINING_ZONE (default the team's first read-write zone).
 */
export interface TrainingJobProps {
  /** Lake zone the job writes its outputs to, under `teams/<team>/training/`; one of the team's read-write zones. */
  readonly zone: string;
  /** Training image by digest (`<repository>@sha256:<64 hex>`): a tag could change what runs. */
  readonly image: string;
  /** Model name: the MLflow experiment `<team>/<model>` and the output folder. */
  readonly model: string;
  /** @default { cpu: "1", memory: "2Gi" } */
  readonly requests?: { readonly cpu: string; readonly memory: string };
}

const DIGEST = /^[a-z0-9][a-z0-9._/:-]*@sha256:[0-9a-f]{64}$/;

/** The team's training Job, in the team's namespace, as the team's service account. */
export class TrainingJob extends Construct {
  readonly job: JobV1;
  readonly outputUri: string;
  readonly topic: string;

  constructor(scope: TeamEnvironmentStack, id: string, props: TrainingJobProps) {
    super(scope, id);
    const { team, environment, teamConfig } = scope;
    const where = `${id} (team ${team}, environment ${environment})`;
    if (!teamConfig.lake.readWriteZones.includes(props.zone)) {
      throw new Error(
        `${where}: zone ${JSON.stringify(props.zone)} is not one of teams.${team}.lake.readWriteZones ` +
          `(${teamConfig.lake.readWriteZones.join(", ") || "none"}); the job's role may write only there`,
      );
    }
    if (!DIGEST.test(props.image)) {
      throw new Error(
        `${where}: image ${JSON.stringify(props.image)} is not pinned; expected <repository>@sha256:<64 hex>`,
      );
    }
    const bucket = scope.lookup.buckets[props.zone];
    if (!bucket) throw new Error(`${where}: the platform has no lake bucket for zone ${props.zone}`);
    this.outputUri = `s3://${bucket.bucketName}/${teamLakePrefix(team)}training/${props.model}/`;
    this.topic = `${teamKafkaTopicPrefix(team)}training-events`;

    const env = [
      { name: "OUTPUT_URI", value: this.outputUri },
      { name: "TRAINING_EVENTS_TOPIC", value: this.topic },
      ...(teamConfig.services.includes("mlflow")
        ? [
            { name: "MLFLOW_TRACKING_URI", value: `http://mlflow.${MLFLOW_NAMESPACE}.svc:${MLFLOW_PORT}` },
            { name: "MLFLOW_EXPERIMENT_NAME", value: `${teamMlflowExperimentPrefix(team)}${props.model}` },
          ]
        : []),
      // Bootstrap address, security protocol, SASL user and the mounted CA/credential files of the team's KafkaUser.
      ...(scope.kafka?.clientEnv ?? []),
    ];
    // The Kubernetes API takes the mode as a number, the Terraform provider as an octal string.
    const kafkaVolumes = (scope.kafka?.credentials.volumes ?? []).map((v) => ({
      name: v.name,
      secret: {
        ...v.secret,
        items: [...v.secret.items],
        defaultMode: `0${v.secret.defaultMode.toString(8)}`,
      },
    }));
    const kafkaMounts = scope.kafka?.credentials.volumeMounts ?? [];
    const labels = {
      "app.kubernetes.io/name": `train-${props.model}`,
      "app.kubernetes.io/part-of": `team-${team}`,
    };
    const podSpec = {
      restartPolicy: "Never",
      serviceAccountName: scope.namespace.serviceAccountName,
      securityContext: restrictedPodSecurityContext({ runAsUser: "1000", runAsGroup: "1000" }),
      container: [
        {
          name: "train",
          image: props.image,
          env,
          resources: {
            requests: { ...(props.requests ?? { cpu: "1", memory: "2Gi" }) },
            limits: { memory: props.requests?.memory ?? "2Gi" },
          },
          securityContext: restrictedContainerSecurityContext<string>(),
          volumeMount: [{ name: "tmp", mountPath: "/tmp" }, ...kafkaMounts],
        },
      ],
      volume: [{ name: "tmp", emptyDir: { sizeLimit: "1Gi" } }, ...kafkaVolumes],
    };
    // A Job's pod template is immutable: the name carries a hash of it, so a changed job runs as a new Job.
    const hash = createHash("sha256").update(JSON.stringify(podSpec)).digest("hex").slice(0, 8);
    this.job = new JobV1(this, "Job", {
      provider: scope.kubernetesProvider,
      metadata: { name: `train-${props.model}-${hash}`, namespace: scope.namespace.name, labels },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: 6 * 3600,
        ttlSecondsAfterFinished: String(7 * 24 * 3600),
        template: { metadata: { labels }, spec: podSpec },
      },
      waitForCompletion: false,
      dependsOn: [scope.namespace.serviceAccount, ...(scope.kafka ? [scope.kafka.kafkaUser] : [])],
    });
  }
}

function main(): void {
  const configPath = process.env.MLOPS_CONFIG || resolve(import.meta.dirname, "..", "configs", "teams.yaml");
  const config = loadConfigFile(configPath);
  const team = process.env.TEAM ?? "fraud";
  const teamConfig = config.teams[team];
  if (!teamConfig) {
    throw new Error(
      `TEAM=${team}: no team ${JSON.stringify(team)} in ${configPath} (teams: ${Object.keys(config.teams).join(", ") || "none"})`,
    );
  }
  const environment = process.env.TEAM_ENV ?? teamConfig.environments[0] ?? "dev";

  const app = new App();
  const stack = new TeamEnvironmentStack(app, teamStackName(platformPrefix(config), team, environment), {
    config,
    team,
    environment,
  });
  const training = new TrainingJob(stack, "Training", {
    zone: process.env.TRAINING_ZONE ?? teamConfig.lake.readWriteZones[0] ?? "",
    image:
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-training@sha256:1111111111111111111111111111111111111111111111111111111111111111",
    model: "fraud-score",
  });
  new TerraformOutput(stack, "training_output_uri", {
    value: training.outputUri,
    description: "Where the training job writes (the team's prefix in its lake zone)",
  });
  new TerraformOutput(stack, "workload_role_arn", {
    value: stack.workloadRole.roleArn,
    description: "The role the team's pods run with (service account team-<name>)",
  });
  // The platform's rules gate the team's app too: an error-level finding stops synth with nothing written.
  applyPlatformRulePack(app, config);
  app.synth();
}

try {
  main();
} catch (err) {
  // Configuration errors, policy findings and the job's own checks: the message names what to fix.
  if (err instanceof Error) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
