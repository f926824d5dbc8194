import { describe, expect, it } from "vitest";
import { EMBEDDED_DEFAULT, parsePlatformConfig, teamEnvironments } from "../../config";
import { configProblems } from "../support/errors";

/** The embedded default (standard preset: GPU pools, Kafka, MLflow, serving on) plus `teams`. */
const withTeams = (teams: unknown, extra: Record<string, unknown> = {}) => ({
  ...EMBEDDED_DEFAULT,
  ...extra,
  teams,
});
/** The minimal preset: no GPU pool, no Kafka, MLflow or serving. */
const minimal = (teams: unknown) => ({
  name: "acme",
  environment: "dev",
  region: "eu-west-1",
  preset: "minimal",
  teams,
});
const problemsOf = (doc: unknown) => configProblems(() => parsePlatformConfig(doc, "teams.yaml"));

describe("teams configuration", () => {
  it("has no teams by default", () => {
    expect(parsePlatformConfig(EMBEDDED_DEFAULT).teams).toEqual({});
  });

  it("fills in each team's defaults: view access, one dev environment, no services, the default quota", () => {
    const c = parsePlatformConfig(
      withTeams({ fraud: { members: [{ arn: "arn:aws:iam::111122223333:role/alice" }] } }),
    );
    const fraud = c.teams.fraud;
    expect(fraud.members).toEqual([{ arn: "arn:aws:iam::111122223333:role/alice", access: "view" }]);
    expect(fraud.environments).toEqual(["dev"]);
    expect(fraud.services).toEqual([]);
    expect(fraud.quota).toEqual({
      cpu: "8",
      memory: "32Gi",
      gpus: 0,
      storage: "100Gi",
      persistentVolumeClaims: 10,
      pods: 50,
    });
    expect(fraud.lake).toEqual({ readWriteZones: [], sharedReadZones: [] });
    expect(fraud.kafka.readPredictions).toBe(false);
    expect(fraud.budget).toBeUndefined();
  });

  it("lists one team environment per team and environment, in configuration order", () => {
    const c = parsePlatformConfig(withTeams({ fraud: { environments: ["dev", "prod"] }, risk: {} }));
    expect(teamEnvironments(c.teams).map((e) => `${e.team}/${e.environment}`)).toEqual([
      "fraud/dev",
      "fraud/prod",
      "risk/dev",
    ]);
  });

  it("accepts a full team using every enabled service, a GPU quota and existing zones", () => {
    const c = parsePlatformConfig(
      withTeams({
        fraud: {
          members: [{ arn: "arn:aws:iam::111122223333:user/bob", access: "edit" }],
          reviewers: ["@acme/fraud"],
          services: ["mlflow", "kafka", "serving"],
          quota: { gpus: 2 },
          lake: { readWriteZones: ["raw", "curated"], sharedReadZones: ["curated"] },
          kafka: { readPredictions: true },
          budget: { limitUsdPerMonth: 1000, recipients: ["ops@example.com"] },
        },
      }),
    );
    expect(c.teams.fraud.quota.gpus).toBe(2);
    expect(c.teams.fraud.budget?.thresholdsPercent).toEqual([80, 100]);
  });

  it("fails when a team name is not a DNS label, quoting the key", () => {
    for (const name of ["Fraud", "fraud_team", "-fraud", "a-very-long-team-name-over-20"]) {
      const problems = problemsOf(withTeams({ [name]: {} }));
      expect(problems, name).toHaveLength(1);
      expect(problems[0], name).toMatch(/^teams/);
      expect(problems[0], name).toContain(`got the key ${JSON.stringify(name)}`);
    }
  });

  it("fails when an environment is not a DNS label", () => {
    const problems = problemsOf(withTeams({ fraud: { environments: ["Prod"] } }));
    expect(problems).toEqual([
      expect.stringMatching(/^teams\.fraud\.environments\[0\]: got "Prod"; expected lower-case/),
    ]);
  });

  it("fails when two teams produce the same namespace, naming both", () => {
    const problems = problemsOf(withTeams({ "a-b": { environments: ["c"] }, a: { environments: ["b-c"] } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^teams\.a\.environments\[0\]: got "b-c"; /);
    expect(problems[0]).toContain("namespace team-a-b-c");
    expect(problems[0]).toContain("team a-b environment c");
  });

  it("fails when a quota asks for GPUs and no GPU node pool exists", () => {
    const problems = problemsOf(minimal({ fraud: { quota: { gpus: 1 } } }));
    expect(problems).toEqual([
      expect.stringMatching(/^teams\.fraud\.quota\.gpus: got 1; GPUs need a GPU node pool/),
    ]);
    // The standard preset has GPU pools: the same team is accepted.
    expect(parsePlatformConfig(withTeams({ fraud: { quota: { gpus: 1 } } })).teams.fraud.quota.gpus).toBe(1);
  });

  it("fails when a GPU pool exists but is not created", () => {
    const problems = problemsOf(
      withTeams(
        { fraud: { quota: { gpus: 1 } } },
        {
          preset: "minimal",
          nodePools: {
            gpu: {
              create: false,
              gpu: true,
              minSize: 0,
              maxSize: 1,
              desiredSize: 0,
              instanceTypes: ["g5.xlarge"],
            },
          },
        },
      ),
    );
    expect(problems.join("\n")).toContain("teams.fraud.quota.gpus: got 1");
  });

  it("fails when a member ARN is not an IAM role or user ARN", () => {
    for (const arn of [
      "arn:aws:sts::111122223333:assumed-role/alice/session",
      "arn:aws:iam::111122223333:group/devs",
      "alice",
    ]) {
      const problems = problemsOf(withTeams({ fraud: { members: [{ arn }] } }));
      expect(problems, arn).toEqual([
        expect.stringMatching(/^teams\.fraud\.members\[0\]\.arn: got .*; expected an IAM role or user ARN/),
      ]);
      expect(problems[0]).toContain(JSON.stringify(arn));
    }
  });

  it("fails when a member's access level is neither view nor edit", () => {
    const problems = problemsOf(
      withTeams({ fraud: { members: [{ arn: "arn:aws:iam::111122223333:role/a", access: "admin" }] } }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^teams\.fraud\.members\[0\]\.access: got "admin"; expected one of "view", "edit"/,
      ),
    ]);
  });

  it("fails when a team uses a service the platform does not run: kafka, mlflow or serving off", () => {
    const problems = problemsOf(minimal({ fraud: { services: ["mlflow", "kafka", "serving"] } }));
    expect(problems).toEqual([
      expect.stringMatching(
        /^teams\.fraud\.services\[0\]: got "mlflow"; the platform does not run mlflow: set addons\.mlflow\.enabled: true/,
      ),
      expect.stringMatching(/^teams\.fraud\.services\[1\]: got "kafka"; .*addons\.kafka\.enabled/),
      expect.stringMatching(/^teams\.fraud\.services\[2\]: got "serving"; .*addons\.serving\.enabled/),
    ]);
  });

  it("fails when only one service is switched off, naming only that one", () => {
    const problems = problemsOf(
      withTeams(
        { fraud: { services: ["mlflow", "kafka"] } },
        { addons: { ...EMBEDDED_DEFAULT.addons, kafka: { enabled: false } } },
      ),
    );
    expect(problems).toEqual([expect.stringMatching(/^teams\.fraud\.services\[1\]: got "kafka"/)]);
  });

  it("fails when a service is not one a team can use", () => {
    const problems = problemsOf(withTeams({ fraud: { services: ["airflow"] } }));
    expect(problems).toEqual([
      expect.stringMatching(
        /^teams\.fraud\.services\[0\]: got "airflow"; expected one of "mlflow", "kafka", "serving"/,
      ),
    ]);
  });

  it("fails when readPredictions is asked without kafka in the team's services", () => {
    const problems = problemsOf(withTeams({ fraud: { kafka: { readPredictions: true } } }));
    expect(problems).toEqual([
      expect.stringMatching(/^teams\.fraud\.kafka\.readPredictions: got true; needs "kafka"/),
    ]);
  });

  it("fails when a budget has no recipients", () => {
    const problems = problemsOf(withTeams({ fraud: { budget: { limitUsdPerMonth: 100 } } }));
    expect(problems).toEqual([
      expect.stringMatching(/^teams\.fraud\.budget\.recipients: got \[\]; required when budget is set/),
    ]);
  });

  it("fails when a budget recipient is not an e-mail address or the limit is not positive", () => {
    const problems = problemsOf(
      withTeams({ fraud: { budget: { limitUsdPerMonth: 0, recipients: ["ops"] } } }),
    );
    expect(problems.some((p) => p.startsWith("teams.fraud.budget.limitUsdPerMonth: got 0"))).toBe(true);
    expect(problems.some((p) => p.startsWith('teams.fraud.budget.recipients[0]: got "ops"'))).toBe(true);
  });

  it("fails when a lake zone does not exist, listing the zones", () => {
    const problems = problemsOf(
      withTeams({ fraud: { lake: { readWriteZones: ["raw", "bronze"], sharedReadZones: ["gold"] } } }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^teams\.fraud\.lake\.readWriteZones\[1\]: got "bronze"; expected a data lake zone: one of raw, curated, features, models/,
      ),
      expect.stringMatching(/^teams\.fraud\.lake\.sharedReadZones\[0\]: got "gold"; /),
    ]);
  });

  it("fails when a team asks for lake zones and the platform has no data lake", () => {
    const problems = problemsOf(
      withTeams({ fraud: { lake: { readWriteZones: ["raw"] } } }, { dataLake: { create: false } }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^teams\.fraud\.lake\.readWriteZones\[0\]: got "raw"; the platform has no data lake/,
      ),
    ]);
  });

  it("fails when a quota value is not a Kubernetes quantity", () => {
    const problems = problemsOf(withTeams({ fraud: { quota: { cpu: "lots", memory: "0Gi", pods: 0 } } }));
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "teams.fraud.quota.cpu",
      "teams.fraud.quota.memory",
      "teams.fraud.quota.pods",
    ]);
  });

  it("fails when a principal is a member of two teams, or already a cluster admin (one access entry per principal)", () => {
    const arn = "arn:aws:iam::111122223333:role/alice";
    const twoTeams = problemsOf(
      withTeams({ fraud: { members: [{ arn }] }, risk: { members: [{ arn, access: "edit" }] } }),
    );
    expect(twoTeams).toEqual([
      expect.stringMatching(
        /^teams\.risk\.members\[0\]\.arn: got "arn:aws:iam::111122223333:role\/alice"; already has cluster access through teams\.fraud\.members/,
      ),
    ]);
    const admin = problemsOf(
      withTeams({ fraud: { members: [{ arn }] } }, { cluster: { adminPrincipalArns: [arn] } }),
    );
    expect(admin).toEqual([
      expect.stringMatching(/^teams\.fraud\.members\[0\]\.arn: .*through cluster\.adminPrincipalArns/),
    ]);
    const twice = problemsOf(withTeams({ fraud: { members: [{ arn }, { arn, access: "edit" }] } }));
    expect(twice).toEqual([expect.stringMatching(/^teams\.fraud\.members\[1\]\.arn: /)]);
  });

  it("fails when a team uses serving on the Seldon engine (teams reach KServe's gateway only, for now)", () => {
    const addons = EMBEDDED_DEFAULT.addons as { serving: Record<string, unknown> };
    const problems = problemsOf(
      withTeams(
        { fraud: { services: ["serving"] } },
        {
          addons: {
            ...addons,
            serving: {
              ...addons.serving,
              engine: "seldon",
              seldon: { acknowledgeBusinessSourceLicense: true },
              deployments: {},
            },
          },
        },
      ),
    );
    expect(problems.filter((p) => p.startsWith("teams."))).toEqual([
      expect.stringMatching(
        /^teams\.fraud\.services\[0\]: got "serving"; .*Seldon engine is not supported for teams/,
      ),
    ]);
  });

  it("fails when a team uses Strimzi Kafka and External Secrets (the credentials' delivery) is off", () => {
    const addons = EMBEDDED_DEFAULT.addons as Record<string, unknown>;
    const problems = problemsOf(
      withTeams(
        { fraud: { services: ["kafka"] } },
        { addons: { ...addons, externalSecrets: { enabled: false } } },
      ),
    );
    expect(problems.filter((p) => p.startsWith("teams."))).toEqual([
      expect.stringMatching(
        /^teams\.fraud\.services\[0\]: got "kafka"; .*addons\.externalSecrets\.enabled: true/,
      ),
    ]);
  });
});
