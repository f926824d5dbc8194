/**
 * The reference service's metric list is its real exposition: the service starts in-process on loopback (real
 * engine and model, as service/test does) and the `# TYPE` lines of its /metrics must equal the committed list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { familiesOf, INFERENCE_SERVICE_FAMILIES } from "../../../../../constructs/addons/monitoring/rules";
import { type StartedService, startRealService } from "../../../../../service/test/http/real-service";

describe("inference service exposition", () => {
  let service: StartedService;
  let exposition: string;

  beforeAll(async () => {
    service = await startRealService();
    const res = await fetch(`${service.url}/metrics`);
    expect(res.status).toBe(200);
    exposition = await res.text();
  });
  afterAll(async () => {
    await service?.shutdown("test done");
  });

  it("declares exactly the families on the committed list (update metrics/inference-service.ts with it)", () => {
    const live = familiesOf(exposition);
    expect(live.length).toBeGreaterThan(40);
    expect([...live].sort()).toEqual([...INFERENCE_SERVICE_FAMILIES].sort());
  });

  it("fails when a family is renamed (the comparison is by name and type)", () => {
    const renamed = familiesOf(
      exposition.replace("# TYPE drift_detected gauge", "# TYPE drift_detected_x gauge"),
    );
    expect([...renamed].sort()).not.toEqual([...INFERENCE_SERVICE_FAMILIES].sort());
  });
});
