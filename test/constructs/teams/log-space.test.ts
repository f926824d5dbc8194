/**
 * The team's Kibana space: the requests in the documented API formats (Kibana 9.x spaces and data views APIs,
 * Elasticsearch `_aliases`), and the Job/CronJob that sends them: in the logging namespace, PSS restricted, with
 * ECK's Secrets mounted and no password in Terraform's values.
 */
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { describe, expect, it } from "vitest";
import {
  logSpaceRequestFiles,
  TeamLogSpace,
  teamLogSpaceNames,
  teamLogSpaceRequests,
} from "../../../constructs/teams/log-space";
import { onlyResource, synthScope } from "../../support/synth";

const FRAUD = { team: "fraud", environment: "dev", namespace: "team-fraud-dev" };
const byPath = (path: string) => {
  const r = teamLogSpaceRequests(FRAUD).find((x) => x.path === path);
  if (!r) throw new Error(`no request to ${path}`);
  return r;
};

describe("team log space requests", () => {
  it("aliases the log indices filtered on exactly the team's namespace", () => {
    const r = byPath("/_aliases");
    expect(r).toMatchObject({ target: "elasticsearch", method: "POST", ok: [200, 404] });
    expect(r.body).toEqual({
      actions: [
        {
          add: {
            index: "logs-containers-*",
            alias: "logs-team-fraud-dev",
            filter: { term: { "kubernetes.namespace": "team-fraud-dev" } },
          },
        },
      ],
    });
  });

  it("creates the space (409 when it exists) and then updates it, with the documented fields only", () => {
    const create = byPath("/api/spaces/space");
    const update = byPath("/api/spaces/space/team-fraud-dev");
    expect([create.method, create.ok]).toEqual(["POST", [200, 409]]);
    expect([update.method, update.ok]).toEqual(["PUT", [200]]);
    expect(update.body).toEqual(create.body);
    const body = create.body as Record<string, unknown>;
    // Kibana's create/update space body: id and name required; description, disabledFeatures, initials, color optional.
    expect(
      Object.keys(body).every((k) =>
        [
          "id",
          "name",
          "description",
          "disabledFeatures",
          "initials",
          "color",
          "imageUrl",
          "solution",
        ].includes(k),
      ),
    ).toBe(true);
    // Space ids: lowercase letters, digits, _ and -.
    expect(body.id).toMatch(/^[a-z0-9_-]+$/);
    expect(body.name).toBe("Team fraud (dev)");
  });

  it("makes a data view on the alias in the team's space, its default", () => {
    const names = teamLogSpaceNames("fraud", "dev");
    const view = byPath(`/s/${names.space}/api/data_views/data_view`);
    expect(view.body).toEqual({
      data_view: {
        id: names.dataView,
        title: names.alias,
        name: "Team fraud dev logs",
        timeFieldName: "@timestamp",
      },
      override: true,
    });
    expect(byPath(`/s/${names.space}/api/data_views/default`).body).toEqual({
      data_view_id: names.dataView,
      force: true,
    });
    // The alias exists before the data view reads it; the space before anything is put in it.
    expect(teamLogSpaceRequests(FRAUD).map((r) => r.path)).toEqual([
      "/_aliases",
      "/api/spaces/space",
      "/api/spaces/space/team-fraud-dev",
      "/s/team-fraud-dev/api/data_views/data_view",
      "/s/team-fraud-dev/api/data_views/default",
    ]);
  });

  it("fails when a path could break out of the script's quoting", () => {
    expect(() =>
      logSpaceRequestFiles([{ target: "kibana", method: "PUT", path: "/x; rm -rf /", body: {}, ok: [200] }]),
    ).toThrow(/Invalid request 0: path "\/x; rm -rf \/"/);
  });
});

describe("TeamLogSpace", () => {
  const json = synthScope((scope) => {
    const provider = new KubernetesProvider(scope, "k8s", {});
    new TeamLogSpace(scope, "Logs", { ...FRAUD, provider, labels: { "mlops.io/team": "fraud" } });
  });
  type Pod = {
    security_context: Record<string, unknown>;
    automount_service_account_token: boolean;
    container: {
      resources: { requests: Record<string, string> };
      security_context: Record<string, unknown>;
      volume_mount: { name: string }[];
      env: { name: string; value: string }[];
    }[];
    volume: { name: string; secret?: { secret_name: string } }[];
  };
  const job = onlyResource(json, "kubernetes_job_v1") as {
    metadata: { name: string; namespace: string };
    spec: { template: { spec: Pod } };
  };
  const cron = onlyResource(json, "kubernetes_cron_job_v1") as {
    metadata: { name: string; namespace: string };
    spec: { schedule: string; job_template: { spec: { template: { spec: Pod } } } };
  };
  const pods = [job.spec.template.spec, cron.spec.job_template.spec.template.spec];

  it("runs in the logging namespace as a hash-named Job and an hourly CronJob", () => {
    expect(job.metadata.namespace).toBe("logging");
    expect(cron.metadata.namespace).toBe("logging");
    expect(job.metadata.name).toMatch(/^team-fraud-dev-logs-[0-9a-f]{8}$/);
    expect(cron.metadata.name).toBe("team-fraud-dev-logs");
    expect(cron.spec.schedule).toBe("17 * * * *");
  });

  it("is PSS restricted with requests, and mounts ECK's Secrets instead of passing the password", () => {
    for (const pod of pods) {
      expect(pod.automount_service_account_token).toBe(false);
      expect(pod.security_context).toMatchObject({
        run_as_non_root: true,
        seccomp_profile: { type: "RuntimeDefault" },
      });
      const c = pod.container[0];
      expect(c?.security_context).toMatchObject({
        allow_privilege_escalation: false,
        read_only_root_filesystem: true,
        capabilities: { drop: ["ALL"] },
      });
      expect(c?.resources.requests).toEqual({ cpu: "10m", memory: "16Mi" });
      expect(pod.volume.flatMap((v) => (v.secret ? [v.secret.secret_name] : []))).toEqual([
        "logs-es-elastic-user",
        "logs-es-http-certs-public",
        "logs-kb-http-certs-public",
      ]);
      expect(c?.env.map((e) => e.value)).toEqual([
        "https://logs-es-http.logging.svc:9200",
        "https://logs-kb-http.logging.svc:5601",
      ]);
    }
    expect(JSON.stringify(json)).not.toMatch(/password"\s*:/i);
  });

  it("renames the Job when a request changes, and only then", () => {
    const name = (o: { namespace?: string } = {}) => {
      const j = synthScope((scope) => {
        new TeamLogSpace(scope, "Logs", {
          ...FRAUD,
          ...o,
          provider: new KubernetesProvider(scope, "k8s", {}),
        });
      });
      return (onlyResource(j, "kubernetes_job_v1") as { metadata: { name: string } }).metadata.name;
    };
    expect(name()).toBe(job.metadata.name);
    expect(name({ namespace: "team-fraud-dev2" })).not.toBe(job.metadata.name);
  });
});
