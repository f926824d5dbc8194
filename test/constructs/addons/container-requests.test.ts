/**
 * Every container the kit installs asks for CPU and memory: Karpenter bin-packs nodes on requests, and a team
 * ResourceQuota rejects pods whose containers have none. Three sources of containers:
 * - Helm releases: every container resources knob of the chart (every key named `resources` in its reference
 *   values.yaml, plus the subchart knobs of EXTRA_KNOBS) must carry requests in the kit's values, unless its
 *   component is off (DISABLED, whose switch the test reads, so an exemption cannot outlive its reason);
 * - pod templates the kit writes itself (typed kubernetes_* resources, manifests, ECK podTemplates);
 * - ResourceRequirements fields of the custom resources it writes (Strimzi operands), from the CRD schemas.
 */
import { expect, it } from "vitest";
import { parse } from "yaml";
import { EMBEDDED_DEFAULT } from "../../../config/presets";
import { CHARTS, type ChartPin } from "../../../constructs/core/charts";
import { deepMerge } from "../../../constructs/core/merge";
import { chartReference, schemaStore } from "../../../scripts/validation";
import type { Json } from "../../support/manifests";
import { synthPlatform } from "../../support/platform";
import { describeWithSchemas } from "../../support/schemas";
import type { SynthJson } from "../../support/synth";
import { CERT_MANAGER_RESOURCE_KNOBS } from "./cert-manager/chart-keys";

type Path = readonly (string | number)[];

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const at = (v: unknown, path: Path): unknown =>
  path.reduce<unknown>((o, k) => (isObject(o) || Array.isArray(o) ? (o as Json)[k] : undefined), v);
const split = (dotted: string): string[] => dotted.split(".");
const hasRequests = (r: unknown): boolean =>
  isObject(r) && isObject(r.requests) && Boolean(r.requests.cpu) && Boolean(r.requests.memory);

/**
 * Knobs the reference values.yaml does not show: kube-prometheus-stack's subcharts (their values are not in
 * the reference data) render these containers.
 */
const EXTRA_KNOBS: Readonly<Record<string, readonly string[]>> = {
  "kube-prometheus-stack": [
    "grafana.resources",
    // One knob for every Grafana sidecar (dashboards and datasources loaders).
    "grafana.sidecar.resources",
    "kube-state-metrics.resources",
    "prometheus-node-exporter.resources",
  ],
};

interface Exemption {
  /** The knob of a component the kit leaves off. */
  readonly knob: string;
  /** The values path that turns it off, read from the kit's values over the chart's defaults. */
  readonly path: string;
  readonly off: unknown | ((value: unknown) => boolean);
  readonly why: string;
}

const off = (knob: string, path: string, why: string, value: unknown = false): Exemption => ({
  knob,
  path,
  off: value,
  why,
});

/** Knobs of components the kit does not run, each with the switch that keeps it so. */
const DISABLED: Readonly<Record<string, readonly Exemption[]>> = {
  airflow: [
    off("workers.kerberosSidecar.resources", "workers.kerberosSidecar.enabled", "no Kerberos"),
    off("workers.kerberosInitContainer.resources", "workers.kerberosInitContainer.enabled", "no Kerberos"),
    // The executor-specific init containers default to the shared switch.
    off(
      "workers.celery.kerberosInitContainer.resources",
      "workers.kerberosInitContainer.enabled",
      "no Kerberos",
    ),
    off(
      "workers.kubernetes.kerberosInitContainer.resources",
      "workers.kerberosInitContainer.enabled",
      "no Kerberos",
    ),
    off("createUserJob.resources", "createUserJob.enabled", "no default admin user"),
    {
      knob: "webserver.resources",
      path: "airflowVersion",
      off: (v: unknown) => Number(String(v).split(".")[0]) >= 3,
      why: "Airflow 3 serves the UI from the API server; the chart renders the webserver only below 3.0",
    },
    off("flower.resources", "flower.enabled", "Celery monitoring UI, not installed"),
    off("pgbouncer.resources", "pgbouncer.enabled", "RDS takes the connections"),
    off("pgbouncer.metricsExporterSidecar.resources", "pgbouncer.enabled", "RDS takes the connections"),
    off("redis.resources", "redis.enabled", "KubernetesExecutor: no Celery broker"),
    off("cleanup.resources", "cleanup.enabled", "the KubernetesExecutor deletes its pods"),
    off("databaseCleanup.resources", "databaseCleanup.enabled", "not scheduled by the kit"),
    off("dags.gitSync.resources", "dags.gitSync.enabled", "no DAG repository in the presets"),
  ],
  "argo-workflows": [
    off("crds.upgradeJob.resources", "crds.full", "the CRDs are templates of the release, no Job"),
    off("server.resources", "server.enabled", "KFP needs only the controller"),
  ],
  "kube-prometheus-stack": [
    off("crds.upgradeJob.resources", "crds.upgradeJob.enabled", "CRDs come with the release"),
    off(
      "prometheusOperator.admissionWebhooks.deployment.resources",
      "prometheusOperator.admissionWebhooks.deployment.enabled",
      "the operator serves its own webhook",
    ),
    off("thanosRuler.thanosRulerSpec.resources", "thanosRuler.enabled", "no Thanos"),
  ],
  "fluent-bit": [off("hotReload.resources", "hotReload.enabled", "configuration changes roll the pods")],
  "external-dns": [
    {
      knob: "provider.webhook.resources",
      path: "provider.name",
      off: (v: unknown) => v !== "webhook",
      why: "the sidecar of webhook providers; the kit uses the built-in aws provider",
    },
  ],
  "metrics-server": [
    off("addonResizer.resources", "addonResizer.enabled", "fixed requests, sized for the kit's clusters"),
  ],
  mlflow: [
    off("oauth2Proxy.resources", "oauth2Proxy.enabled", "MLflow's own basic or OIDC auth"),
    off("minio.resources", "minio.enabled", "artifacts in the data lake"),
  ],
};

/** Every `resources` object in a chart's reference values (a `resources` list names API kinds, not a container). */
function resourceKnobs(values: unknown, path: string[] = []): string[] {
  if (!isObject(values)) return [];
  return Object.entries(values).flatMap(([k, v]) =>
    k === "resources" && isObject(v) ? [[...path, k].join(".")] : resourceKnobs(v, [...path, k]),
  );
}

/**
 * Charts pinned without reference data in ../shared/schemas: their container resources knobs, as the chart
 * documents them (read upstream for the pin, see each list's file).
 */
const KNOBS_WITHOUT_REFERENCE: Readonly<Record<string, readonly string[]>> = {
  "cert-manager": CERT_MANAGER_RESOURCE_KNOBS,
};

const pinOf = (chart: string): ChartPin => {
  const pin: ChartPin | undefined = Object.values(CHARTS).find((p) => p.chart === chart);
  if (!pin?.schemaDir && !KNOBS_WITHOUT_REFERENCE[chart])
    throw new Error(`helm_release of chart ${chart} has no pin with reference data and no knob list`);
  return pin as ChartPin;
};

// values.yaml, or values.tmpl.yaml where the chart has only the template (gateway-helm); {} without data.
const referenceValues = (pin: ChartPin): Json =>
  pin.schemaDir ? (chartReference(pin.schemaDir).defaults as Json) : {};

const releases = (stacks: Record<string, SynthJson>): [string, Json][] =>
  Object.values(stacks).flatMap((s) =>
    Object.entries((s.resource?.helm_release ?? {}) as Record<string, Json>),
  );

/** Whether an exemption's switch keeps its component off in `values` (kit values over chart defaults). */
function switchHolds(e: Exemption, values: Json): boolean {
  const value = at(values, split(e.path));
  return typeof e.off === "function" ? e.off(value) : value === e.off;
}

const effectiveValues = (release: Json): { kit: Json; effective: Json } => {
  const kit = ((release.values ?? []) as string[]).reduce<Json>((v, doc) => deepMerge(v, parse(doc)), {});
  return { kit, effective: deepMerge<Json>(referenceValues(pinOf(release.chart)), kit) };
};

/** The knobs of one release that lack requests, as `chart: path` lines. */
function releaseGaps(id: string, release: Json): string[] {
  const pin = pinOf(release.chart);
  const defaults = referenceValues(pin);
  const { kit, effective } = effectiveValues(release);
  const disabled = new Map((DISABLED[pin.chart] ?? []).map((e) => [e.knob, e]));
  const gaps: string[] = [];
  const knobs = [
    ...resourceKnobs(defaults),
    ...(EXTRA_KNOBS[pin.chart] ?? []),
    ...(KNOBS_WITHOUT_REFERENCE[pin.chart] ?? []),
  ];
  for (const knob of knobs) {
    // A component that is off needs nothing; switched on (by the kit or a preset) its knob must carry requests.
    const exemption = disabled.get(knob);
    if (exemption && switchHolds(exemption, effective)) continue;
    if (!hasRequests(at(kit, split(knob))))
      gaps.push(`${pin.chart} (${id}): ${knob} = ${JSON.stringify(at(kit, split(knob)) ?? null)}`);
  }
  return gaps;
}

/** Pod containers in a JSON tree: typed (`container`, `init_container`) or Kubernetes (`containers`, …). */
function podContainers(node: unknown, path: Path = []): [string, Json][] {
  if (Array.isArray(node)) return node.flatMap((v, i) => podContainers(v, [...path, i]));
  if (!isObject(node)) return [];
  return Object.entries(node).flatMap(([k, v]): [string, Json][] =>
    CONTAINER_LISTS.includes(k) && Array.isArray(v)
      ? v.filter(isObject).map((c, i) => [[...path, k, i].join("."), c])
      : podContainers(v, [...path, k]),
  );
}

const CONTAINER_LISTS = ["container", "init_container", "containers", "initContainers"];

/** ResourceRequirements fields of a CRD schema (`claims` tells them from PVC sizes; ECK has none of them, its podTemplates are walked as pods), `[]` for list items. */
function crdKnobs(schema: unknown, path: string[] = []): string[][] {
  if (!isObject(schema)) return [];
  const props = isObject(schema.properties) ? schema.properties : {};
  const here = Object.entries(props).flatMap(([k, v]) =>
    k === "resources" && isObject(v) && isObject(v.properties) && "claims" in v.properties
      ? [[...path, k]]
      : crdKnobs(v, [...path, k]),
  );
  return [...here, ...crdKnobs(schema.items, [...path, "[]"])];
}

/** Every concrete value path of a knob path with `[]` in a manifest, when its parent object exists. */
function expand(m: unknown, knob: string[], done: Path = []): Path[] {
  if (knob.length === 1) return isObject(m) ? [[...done, knob[0]]] : [];
  const [head, ...rest] = knob;
  if (head === "[]") return Array.isArray(m) ? m.flatMap((item, i) => expand(item, rest, [...done, i])) : [];
  return isObject(m) && m[head] !== undefined ? expand(m[head], rest, [...done, head]) : [];
}

function customResourceGaps(address: string, manifest: Json): string[] {
  const [group, version] = String(manifest.apiVersion).split("/");
  const crd = version ? schemaStore().crd(group, version, manifest.kind) : undefined;
  if (!crd) return [];
  return (
    crdKnobs(schemaStore().readJson(crd.file))
      .flatMap((knob) => expand(manifest, knob))
      // Pod-level `resources` beside `containers` (PodSpec.resources, feature gate PodLevelResources, e.g. in a
      // KServe predictor): a budget for the whole pod, not a container; each container's requests are checked.
      .filter(
        (p) =>
          !(
            p[p.length - 1] === "resources" &&
            isObject(at(manifest, p.slice(0, -1))) &&
            "containers" in (at(manifest, p.slice(0, -1)) as Json)
          ),
      )
      .filter((p) => !hasRequests(at(manifest, p)))
      .map((p) => `${address} ${manifest.kind} ${manifest.metadata?.name}: ${p.join(".")}`)
  );
}

const PLATFORMS: [string, unknown][] = [
  ["embedded default", EMBEDDED_DEFAULT],
  ["gpu-training preset", deepMerge(EMBEDDED_DEFAULT, { preset: "gpu-training" })],
  // Components the presets leave off: Celery (Redis, Celery workers), git-sync, ExternalDNS.
  [
    "default with Celery, git-sync and ExternalDNS",
    deepMerge(EMBEDDED_DEFAULT, {
      addons: {
        airflow: {
          executor: "CeleryExecutor",
          gitSync: { repository: "https://github.com/acme/dags.git" },
        },
        externalDns: { enabled: true, hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      },
    }),
  ],
];

describeWithSchemas("CPU and memory requests on every container the kit installs", () => {
  const synthesized: Record<string, SynthJson>[] = [];
  for (const [name, doc] of PLATFORMS) {
    const { stacks } = synthPlatform(doc);
    synthesized.push(stacks);

    it(`${name}: every container resources knob of every Helm release sets requests.cpu and requests.memory`, () => {
      const all = releases(stacks);
      expect(all.length).toBeGreaterThanOrEqual(10);
      const gaps = all.flatMap(([id, r]) => releaseGaps(id, r));
      expect(gaps, `containers without requests:\n${gaps.join("\n")}`).toEqual([]);
    });

    it(`${name}: every container of the pod templates the kit writes sets requests.cpu and requests.memory`, () => {
      const containers = Object.entries(stacks).flatMap(([stack, json]) =>
        Object.entries(json.resource ?? {})
          .filter(([type]) => type.startsWith("kubernetes_"))
          .flatMap(([type, rs]) =>
            Object.entries(rs).flatMap(([id, r]) =>
              podContainers(r).map(([p, c]) => [`${stack} ${type}.${id}: ${p} (${c.name})`, c] as const),
            ),
          ),
      );
      // KFP's seven Deployments, two database bootstrap Jobs, the logging Job, Elasticsearch and Kibana.
      expect(containers.length).toBeGreaterThanOrEqual(12);
      const gaps = containers.filter(([, c]) => !hasRequests(c.resources)).map(([where]) => where);
      expect(gaps, `containers without requests:\n${gaps.join("\n")}`).toEqual([]);
    });

    it(`${name}: every ResourceRequirements field of the custom resources it writes sets requests`, () => {
      const manifests = Object.entries(stacks).flatMap(([stack, json]) =>
        Object.entries((json.resource?.kubernetes_manifest ?? {}) as Record<string, Json>).map(
          ([id, r]) => [`${stack} ${id}`, r.manifest as Json] as const,
        ),
      );
      const gaps = manifests.flatMap(([address, m]) => customResourceGaps(address, m));
      expect(gaps, `operands without requests:\n${gaps.join("\n")}`).toEqual([]);
    });
  }

  it("every exemption is in use: its switch keeps the component off in one of the platforms above", () => {
    const all = synthesized.flatMap((stacks) => releases(stacks).map(([, r]) => r));
    const stale = Object.entries(DISABLED).flatMap(([chart, exemptions]) =>
      exemptions
        .filter((e) => !all.some((r) => r.chart === chart && switchHolds(e, effectiveValues(r).effective)))
        .map((e) => `${chart} ${e.knob} (${e.path})`),
    );
    expect(stale, `exemptions whose component is never off:\n${stale.join("\n")}`).toEqual([]);
  });

  it("every exempted or extra knob exists in its chart's reference values (or is a subchart's)", () => {
    for (const [chart, exemptions] of Object.entries(DISABLED)) {
      const defaults = referenceValues(pinOf(chart));
      for (const e of exemptions) expect(at(defaults, split(e.knob)), `${chart} ${e.knob}`).toBeDefined();
    }
    const kps = referenceValues(pinOf("kube-prometheus-stack"));
    for (const knob of EXTRA_KNOBS["kube-prometheus-stack"])
      expect(kps[split(knob)[0]], `kube-prometheus-stack ${knob}: a subchart's values`).toBeDefined();
  });
});
