import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHARTS } from "../../../constructs/core/charts";
import { HelmRelease, type HelmReleaseOptions } from "../../../constructs/core/helm-release";
import { resourcesOf, synthScope } from "../../support/synth";

function synthRelease(options: HelmReleaseOptions = {}, values?: Record<string, unknown>) {
  const json = synthScope((scope) => {
    new HelmRelease(new Construct(scope, "Argo"), "ArgoWorkflows", {
      ...options,
      provider: new HelmProvider(scope, "helm", {}),
      chart: CHARTS.argoWorkflows,
      namespace: "kubeflow",
      releaseName: "argo-workflows",
      values,
    });
  });
  const releases = resourcesOf(json, "helm_release");
  const [address] = Object.keys(releases);
  return { address, release: releases[address] };
}

describe("HelmRelease", () => {
  it("installs the pinned chart atomically into an existing namespace, values as one YAML document", () => {
    // A long string stays on one line (folding would split Terraform references embedded in values).
    const long = `s3://${"b".repeat(120)}/kfp/artifacts`;
    const { release } = synthRelease({}, { controller: { replicas: 1 }, url: long });
    expect(release).toMatchObject({
      name: "argo-workflows",
      namespace: "kubeflow",
      chart: "argo-workflows",
      repository: CHARTS.argoWorkflows.repository,
      version: CHARTS.argoWorkflows.version,
      create_namespace: false,
      atomic: true,
      cleanup_on_fail: true,
      max_history: 10,
      timeout: 900,
    });
    // Helm's own default (wait) is left to the provider unless set.
    expect(release.wait).toBeUndefined();
    expect(release.values).toHaveLength(1);
    expect(parse((release.values as string[])[0])).toEqual({ controller: { replicas: 1 }, url: long });
    expect((release.values as string[])[0]).toContain(`url: ${long}\n`);
  });

  it("is the helm_release itself: its id and scope are the Terraform address", () => {
    expect(synthRelease().address).toMatch(/^Argo_ArgoWorkflows_[0-9A-F]{8}$/);
  });

  it("takes every release option as a prop; not waiting turns atomic off with it", () => {
    const { release } = synthRelease({ chartVersion: "1.0.19", wait: false, timeoutInSeconds: 1200 });
    expect(release).toMatchObject({ version: "1.0.19", wait: false, atomic: false, timeout: 1200 });
    expect(synthRelease({ atomic: false }).release).toMatchObject({ atomic: false });
    expect(synthRelease({ wait: true }).release).toMatchObject({ atomic: true, wait: true });
  });

  it("fails when the chart version is outside the pin's policy, naming the release, the value and the range", () => {
    expect(() => synthRelease({ chartVersion: "1.1.0" })).toThrow(
      'HelmRelease stack/Argo/ArgoWorkflows (chart argo-workflows): Invalid chartVersion: got "1.1.0"; expected an exact argo-workflows chart version >=1.0.18 <1.1.0',
    );
    expect(() => synthRelease({ chartVersion: "1.0.17" })).toThrow(/got "1\.0\.17"; .*>=1\.0\.18 <1\.1\.0/);
  });

  it("fails when the timeout is out of range", () => {
    expect(() => synthRelease({ timeoutInSeconds: 5 })).toThrow(
      /Invalid timeoutInSeconds: got 5; expected an integer from 60 to 3600/,
    );
    expect(() => synthRelease({ timeoutInSeconds: 90.5 })).toThrow(/Invalid timeoutInSeconds: got 90\.5/);
  });

  it("fails when atomic is asked for without waiting", () => {
    expect(() => synthRelease({ wait: false, atomic: true })).toThrow(
      /Invalid atomic: got true with wait false; an atomic release makes Helm wait/,
    );
  });
});
