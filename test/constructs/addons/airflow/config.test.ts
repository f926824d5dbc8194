import { describe, expect, it } from "vitest";
import { airflowAddOn } from "../../../../constructs/addons/airflow/addon";
import {
  airflowSharingProblem,
  executorProblem,
  gitSyncRepo,
  gitTransport,
  parseAirflowConfig,
} from "../../../../constructs/addons/airflow/config";

const GIT = { repository: "https://github.com/acme/dags.git" };
const HOST_KEY =
  "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

describe("Airflow configuration", () => {
  it("defaults to KubernetesExecutor, an own database with 7 days of backups and logs in raw/airflow/logs/", () => {
    const c = parseAirflowConfig({ enabled: true });
    expect(c.executor).toBe("KubernetesExecutor");
    expect(c.database.shareWith).toBeUndefined();
    expect(c.database.backupRetentionInDays).toBe(7);
    expect(c.database.multiAz, "left to the environment").toBeUndefined();
    expect(c.logs).toEqual({ zone: "raw", prefix: "airflow/logs/" });
    expect(c.gitSync).toBeUndefined();
  });

  it("fills git-sync defaults (branch main, subPath dags, 60 s)", () => {
    const c = parseAirflowConfig({ gitSync: GIT });
    expect(c.gitSync).toEqual({ ...GIT, branch: "main", subPath: "dags", periodInSeconds: 60 });
  });

  it("accepts CeleryExecutor", () => {
    expect(parseAirflowConfig({ executor: "CeleryExecutor" }).executor).toBe("CeleryExecutor");
  });

  it("fails when the executor is unknown, naming it with a did-you-mean", () => {
    expect(() => parseAirflowConfig({ executor: "SequentialExecutorr" })).toThrow(
      /addons\.airflow\.executor: unknown executor "SequentialExecutorr"; did you mean "SequentialExecutor"\? \(that one is not supported either: it was removed in Airflow 3\)/,
    );
    expect(() => parseAirflowConfig({ executor: "KubernetesExecuter" })).toThrow(
      /unknown executor "KubernetesExecuter"; did you mean "KubernetesExecutor"\?/,
    );
  });

  it("fails when the executor is one Airflow knows but the kit refuses, saying why", () => {
    expect(executorProblem("LocalExecutor")).toMatch(
      /executor "LocalExecutor" is not supported by the kit: it runs tasks inside the scheduler pod.*expected one of "KubernetesExecutor", "CeleryExecutor"/,
    );
    expect(executorProblem("KubernetesExecutor")).toBeUndefined();
  });

  it("fails when backups are kept fewer than 7 days", () => {
    expect(() => parseAirflowConfig({ database: { backupRetentionInDays: 3 } })).toThrow(
      /addons\.airflow\.database\.backupRetentionInDays: .*at least 7/,
    );
    expect(() => parseAirflowConfig({ database: { backupRetentionInDays: 36 } })).toThrow(/at most 35/);
  });

  it("fails when a CPU request is zero (the shared quantity rule MLflow and Kubeflow use too)", () => {
    expect(() => parseAirflowConfig({ resources: { scheduler: { cpu: "0m", memory: "1Gi" } } })).toThrow(
      /addons\.airflow\.resources\.scheduler\.cpu: got "0m"; expected a CPU quantity above zero/,
    );
    expect(() => parseAirflowConfig({ resources: { scheduler: { cpu: "500m", memory: "0Mi" } } })).toThrow(
      /resources\.scheduler\.memory: got "0Mi"/,
    );
  });

  it("fails when the PostgreSQL version is of a major RDS support in the kit does not know", () => {
    expect(() => parseAirflowConfig({ database: { engineVersion: "13" } })).toThrow(
      /database\.engineVersion.*"13" is not a supported PostgreSQL version/,
    );
  });

  it("fails when the git URL is not an https or ssh clone URL, quoting it", () => {
    for (const repository of [
      "ftp://github.com/acme/dags.git",
      "github.com/acme/dags",
      "https://user:token@github.com/acme/dags.git",
      "https://github.com/",
      "file:///srv/dags",
    ]) {
      expect(() => parseAirflowConfig({ gitSync: { repository } }), repository).toThrow(
        `addons.airflow.gitSync.repository: gitSync.repository ${JSON.stringify(repository)} is not a git clone URL`,
      );
    }
  });

  it("tells https, ssh:// and scp-like URLs apart; git-sync gets the scp-like form", () => {
    expect(gitTransport("https://github.com/acme/dags.git")).toBe("https");
    expect(gitTransport("ssh://git@github.com/acme/dags.git")).toBe("ssh");
    expect(gitTransport("git@github.com:acme/dags.git")).toBe("ssh");
    expect(gitSyncRepo("ssh://git@github.com/acme/dags.git")).toBe("git@github.com:acme/dags.git");
    expect(gitSyncRepo("git@github.com:acme/dags.git")).toBe("git@github.com:acme/dags.git");
  });

  it("fails when an ssh URL has no SSH key secret, or an https URL has one", () => {
    expect(() =>
      parseAirflowConfig({ gitSync: { repository: "git@github.com:acme/dags.git", knownHosts: HOST_KEY } }),
    ).toThrow(
      /addons\.airflow\.gitSync\.sshKeySecretName: gitSync\.repository "git@github\.com:acme\/dags\.git" is an ssh URL, which needs gitSync\.sshKeySecretName/,
    );
    expect(() => parseAirflowConfig({ gitSync: { ...GIT, sshKeySecretName: "dags-key" } })).toThrow(
      /gitSync\.sshKeySecretName "dags-key" is set but gitSync\.repository "https:\/\/github\.com\/acme\/dags\.git" is an https URL/,
    );
  });

  it("fails when an ssh URL has no known host keys (git-sync would not verify the server), or they are malformed", () => {
    const ssh = { repository: "git@github.com:acme/dags.git", sshKeySecretName: "dags-key" };
    expect(() => parseAirflowConfig({ gitSync: ssh })).toThrow(
      /addons\.airflow\.gitSync\.knownHosts: gitSync\.repository "git@github\.com:acme\/dags\.git" is an ssh URL, which needs gitSync\.knownHosts/,
    );
    expect(() => parseAirflowConfig({ gitSync: { ...ssh, knownHosts: "github.com" } })).toThrow(
      /addons\.airflow\.gitSync\.knownHosts: .*known_hosts lines/,
    );
    const ok = parseAirflowConfig({
      gitSync: { ...ssh, knownHosts: `${HOST_KEY}\ngitlab.com ssh-rsa AAAAB3Nza==\n` },
    });
    expect(ok.gitSync?.knownHosts).toContain("gitlab.com");
    expect(() => parseAirflowConfig({ gitSync: { ...GIT, knownHosts: HOST_KEY } })).toThrow(
      /gitSync\.knownHosts is only used with ssh URLs/,
    );
  });

  it("fails when a key is misspelt, suggesting the right one", () => {
    expect(() => parseAirflowConfig({ executer: "CeleryExecutor" } as never)).toThrow(
      /addons\.airflow\.executer: unknown key "executer"; did you mean "executor"\?/,
    );
  });

  it("fails when the log prefix does not end with a slash", () => {
    expect(() => parseAirflowConfig({ logs: { prefix: "airflow/logs" } })).toThrow(
      /addons\.airflow\.logs\.prefix: .*"airflow\/logs\/"/,
    );
  });

  it("depends on external-secrets, and on mlflow only when sharing its database", () => {
    expect(airflowAddOn({ enabled: true }).dependsOn).toEqual(["external-secrets"]);
    expect(airflowAddOn({ database: { shareWith: "mlflow" } }).dependsOn).toEqual([
      "external-secrets",
      "mlflow",
    ]);
  });

  it("fails when shareWith names an add-on other than mlflow", () => {
    expect(() => parseAirflowConfig({ database: { shareWith: "kubeflow" as never } })).toThrow(
      /addons\.airflow\.database\.shareWith: got "kubeflow"; expected one of "mlflow"/,
    );
  });

  it("reports sharing MLflow's database while MLflow is disabled (cross-add-on check)", () => {
    const airflow = { enabled: true, database: { shareWith: "mlflow" } };
    expect(airflowSharingProblem(airflow, { enabled: false })).toEqual({
      path: ["airflow", "database", "shareWith"],
      message: expect.stringMatching(/shareWith "mlflow" needs addons\.mlflow\.enabled: true/),
    });
    expect(airflowSharingProblem(airflow, undefined)).toBeDefined();
    expect(airflowSharingProblem(airflow, { enabled: true })).toBeUndefined();
    expect(airflowSharingProblem({ ...airflow, enabled: false }, { enabled: false })).toBeUndefined();
    expect(airflowSharingProblem({ enabled: true }, { enabled: false })).toBeUndefined();
  });
});
