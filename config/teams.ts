import { z } from "zod";
import {
  cpuQuantity,
  dnsLabel,
  iamPrincipalArn,
  memoryQuantity,
  storageQuantity,
} from "../constructs/primitives";
import { teamNamespace } from "../constructs/teams/naming";
import { issue } from "./issue";

/**
 * `teams.<name>`: per-team environments on the shared platform (issue 13). Each environment of a team becomes its
 * own stack (`<prefix>-team-<name>-<env>`) with a namespace `team-<name>-<env>`, quotas, network policies,
 * namespace-scoped cluster access, a workload role and the grants below.
 */

/** Platform services a team may use; each must be switched on in `addons`. */
export const TEAM_SERVICES = ["mlflow", "kafka", "serving"] as const;
export type TeamService = (typeof TEAM_SERVICES)[number];

/** The `addons.<key>` section that switches each team service on. */
export const TEAM_SERVICE_ADDON: Readonly<Record<TeamService, string>> = {
  mlflow: "mlflow",
  kafka: "kafka",
  serving: "serving",
};

export const TEAM_ACCESS_LEVELS = ["view", "edit"] as const;
export type TeamAccessLevel = (typeof TEAM_ACCESS_LEVELS)[number];

const unique = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).refine((a) => new Set(a).size === a.length, { message: `expected each ${what} once` });

export const TeamMemberSchema = z.strictObject({
  arn: iamPrincipalArn.describe("IAM role or user given access to the team's namespaces."),
  access: z
    .enum(TEAM_ACCESS_LEVELS)
    .default("view")
    .describe(
      "`view` (AmazonEKSViewPolicy) or `edit` (AmazonEKSEditPolicy), scoped to the team's namespaces.",
    ),
});

const nonNegativeInt = z.int().min(0);

export const TeamQuotaSchema = z
  .strictObject({
    cpu: cpuQuantity.default("8").describe("`requests.cpu`; `limits.cpu` is twice this."),
    memory: memoryQuantity.default("32Gi").describe("`requests.memory` and `limits.memory`."),
    gpus: nonNegativeInt
      .default(0)
      .describe("`requests.nvidia.com/gpu` (needs a GPU node pool when above 0)."),
    storage: storageQuantity.default("100Gi").describe("`requests.storage` across the team's claims."),
    persistentVolumeClaims: nonNegativeInt.default(10).describe("Number of PersistentVolumeClaims."),
    pods: z.int().min(1).default(50).describe("Number of pods."),
  })
  .describe(
    "ResourceQuota hard limits of each of the team's namespaces (LoadBalancer and NodePort Services: 0).",
  );

export const TeamLakeSchema = z
  .strictObject({
    readWriteZones: unique(dnsLabel(20), "zone")
      .default([])
      .describe("Zones where the team reads and writes `teams/<name>/`."),
    sharedReadZones: unique(dnsLabel(20), "zone")
      .default([])
      .describe("Zones whose shared data (outside `teams/`) the team reads."),
  })
  .describe("The team's data lake access.");

export const TeamBudgetSchema = z
  .strictObject({
    limitUsdPerMonth: z
      .number()
      .positive()
      .describe("Monthly cost budget in USD on the `team` cost-allocation tag."),
    thresholdsPercent: unique(z.int().min(1).max(1000), "threshold")
      .min(1)
      .default([80, 100])
      .describe("Alert at these percentages of the limit (actual spend)."),
    recipients: unique(z.email(), "recipient")
      .default([])
      .describe("E-mail addresses alerted (at least one)."),
  })
  .describe("An AWS Budget on the team's cost-allocation tag.");

export const TeamSchema = z
  .strictObject({
    members: z
      .array(TeamMemberSchema)
      .default([])
      .describe("IAM principals with access to the team's namespaces."),
    reviewers: unique(
      z.string().regex(/^@[\w.-]+(\/[\w.-]+)?$/, "expected a GitHub owner like @org/team"),
      "reviewer",
    )
      .default([])
      .describe("GitHub owners of the team's files (CODEOWNERS, pull-request routing)."),
    environments: unique(dnsLabel(12), "environment")
      .min(1)
      .default(["dev"])
      .describe("The team's environments; one namespace and one stack each."),
    services: unique(z.enum(TEAM_SERVICES), "service")
      .default([])
      .describe("Platform services the team uses; its namespaces may reach exactly these."),
    quota: TeamQuotaSchema.prefault({}),
    lake: TeamLakeSchema.prefault({}),
    kafka: z
      .strictObject({
        readPredictions: z.boolean().default(false).describe("Read the platform's `predictions` topic."),
      })
      .prefault({})
      .describe("The team's Kafka access beyond its own `team.<name>.` topics."),
    budget: TeamBudgetSchema.optional(),
  })
  .describe("One team.");

export const TeamsSchema = z
  .record(dnsLabel(20), TeamSchema)
  .default({})
  .describe("Teams keyed by name (a DNS label of up to 20 characters), each with its own environments.");

export type TeamConfig = z.output<typeof TeamSchema>;
export type TeamsConfig = z.output<typeof TeamsSchema>;
export type TeamInput = z.input<typeof TeamSchema>;

/** One environment of one team: what a `TeamEnvironmentStack` is built for. */
export interface TeamEnvironment {
  readonly team: string;
  readonly environment: string;
  readonly config: TeamConfig;
}

/** Every team environment of the configuration, in configuration order. */
export function teamEnvironments(teams: TeamsConfig): TeamEnvironment[] {
  return Object.entries(teams).flatMap(([team, config]) =>
    config.environments.map((environment) => ({ team, environment, config })),
  );
}

/** What of the platform configuration the team checks read. */
export interface TeamsPlatformView {
  readonly teams: TeamsConfig;
  readonly addons: Readonly<Record<string, unknown>>;
  readonly nodePools: Readonly<Record<string, { readonly create: boolean; readonly gpu: boolean }>>;
  readonly dataLake: { readonly create: boolean; readonly zones: Readonly<Record<string, unknown>> };
  readonly cluster: { readonly adminPrincipalArns: readonly string[] };
}

function addOnEnabled(addons: Readonly<Record<string, unknown>>, key: string): boolean {
  const section = addons[key] as { enabled?: unknown } | undefined;
  return section?.enabled === true;
}

/** Checks of `teams` against the rest of the platform (services, node pools, lake zones) and each other. */
export function checkTeams(c: TeamsPlatformView, ctx: z.RefinementCtx): void {
  const namespaces = new Map<string, string>();
  const hasGpuPool = Object.values(c.nodePools).some((p) => p.create && p.gpu);
  const zones = c.dataLake.create ? Object.keys(c.dataLake.zones) : [];
  // EKS keeps one access entry per principal and cluster: the foundation's for admins, one team's for members.
  const principals = new Map<string, string>(
    c.cluster.adminPrincipalArns.map((arn) => [arn, "cluster.adminPrincipalArns"]),
  );
  for (const [name, team] of Object.entries(c.teams)) {
    const at = (...path: (string | number)[]) => ["teams", name, ...path];
    team.members.forEach((m, i) => {
      const owner = principals.get(m.arn);
      if (owner) {
        issue(
          ctx,
          at("members", i, "arn"),
          m.arn,
          `already has cluster access through ${owner}; EKS keeps one access entry per principal, so a principal belongs to one team (or is an admin)`,
        );
      } else principals.set(m.arn, `teams.${name}.members`);
    });
    team.environments.forEach((env, i) => {
      const ns = teamNamespace(name, env);
      const other = namespaces.get(ns);
      if (other) {
        issue(
          ctx,
          at("environments", i),
          env,
          `team ${name} environment ${env} makes namespace ${ns}, as ${other} does; rename one team or environment`,
        );
      } else namespaces.set(ns, `team ${name} environment ${env}`);
    });
    if (team.quota.gpus > 0 && !hasGpuPool) {
      issue(
        ctx,
        at("quota", "gpus"),
        team.quota.gpus,
        "GPUs need a GPU node pool (nodePools.<name>.gpu: true); set 0 or add one",
      );
    }
    team.services.forEach((service, i) => {
      const key = TEAM_SERVICE_ADDON[service];
      if (!addOnEnabled(c.addons, key)) {
        issue(
          ctx,
          at("services", i),
          service,
          `the platform does not run ${service}: set addons.${key}.enabled: true or remove it`,
        );
      } else if (
        service === "kafka" &&
        (c.addons.kafka as { mode?: string }).mode === "strimzi" &&
        !addOnEnabled(c.addons, "externalSecrets")
      ) {
        issue(
          ctx,
          at("services", i),
          service,
          "the team's Kafka credentials reach its namespace through External Secrets: set addons.externalSecrets.enabled: true",
        );
      } else if (service === "serving" && (c.addons.serving as { engine?: string }).engine !== "kserve") {
        issue(
          ctx,
          at("services", i),
          service,
          "team access to serving is through KServe's gateway; the Seldon engine is not supported for teams yet",
        );
      }
    });
    if (team.kafka.readPredictions && !team.services.includes("kafka")) {
      issue(ctx, at("kafka", "readPredictions"), true, 'needs "kafka" in the team\'s services');
    }
    for (const field of ["readWriteZones", "sharedReadZones"] as const) {
      team.lake[field].forEach((zone, i) => {
        if (!zones.includes(zone)) {
          issue(
            ctx,
            at("lake", field, i),
            zone,
            c.dataLake.create
              ? `expected a data lake zone: one of ${zones.join(", ")}`
              : "the platform has no data lake (dataLake.create is false)",
          );
        }
      });
    }
    if (team.budget && team.budget.recipients.length === 0) {
      issue(
        ctx,
        at("budget", "recipients"),
        [],
        "required when budget is set: at least one e-mail address to alert",
      );
    }
  }
}
