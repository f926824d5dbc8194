import { expect, it } from "vitest";
import { describeWithSchemas, expectValidStack } from "../../../support/schemas";
import { S3_VERSION, servingWith, synthServing } from "./support";

const PHASES: [string, Record<string, unknown>][] = [
  ["stable", {}],
  ["canary 10 %", { canary: { version: "3", weight: 10 } }],
  ["shadow", { shadow: { version: "3" } }],
  ["promote", { canary: { version: "3", weight: 10 }, promote: true }],
  ["rollback", { shadow: { version: "3" }, rollback: true }],
];

describeWithSchemas("serving add-on against the upstream CRDs and chart values", () => {
  for (const engine of ["kserve", "seldon"] as const) {
    for (const [phase, traffic] of PHASES) {
      it(`${engine}, ${phase}: every release's values, custom resource and Kubernetes object validates`, () => {
        // Seldon candidates are S3 folders of versions (its Models are fetched by rclone).
        const t =
          engine === "seldon"
            ? JSON.parse(JSON.stringify(traffic).replace('"version":"3"', `"uri":"${S3_VERSION(3)}"`))
            : traffic;
        const { json } = synthServing(servingWith(t, { engine }), { kafka: engine === "seldon" });
        const report = expectValidStack(json);
        const candidates = phase === "stable" ? 1 : 2;
        if (engine === "kserve") {
          expect(report.checked).toMatchObject({
            HelmRelease: 3,
            InferenceService: candidates,
            HTTPRoute: 1,
            Gateway: 1,
            GatewayClass: 1,
            EnvoyProxy: 1,
            PodDisruptionBudget: candidates,
          });
          expect(report.unchecked).toEqual([]);
        } else {
          expect(report.checked).toMatchObject({
            Model: candidates,
            Server: candidates,
            ServerConfig: candidates,
          });
          expect(report.checked.Experiment ?? 0).toBe(["stable", "rollback"].includes(phase) ? 0 : 1);
          // The CRD chart has no values (and none are set).
          expect(report.unchecked.map((u) => u.name)).toEqual(["seldon-core-v2-crds"]);
        }
      });
    }
  }
});
