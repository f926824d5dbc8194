import { describe, expect, it } from "vitest";
import { parseMonitoringConfig, retentionHours } from "../../../../constructs/addons/monitoring";
import { ALL_RECEIVERS, ARN } from "./support";

describe("monitoring config", () => {
  it("has working defaults: 15d / 40GB on 50 GiB, no receivers", () => {
    const c = parseMonitoringConfig({});
    expect(c.enabled).toBe(false);
    expect(c.prometheus).toMatchObject({ retention: "15d", retentionSize: "40GB", storageGiB: 50 });
    expect(c.alertmanager.receivers).toEqual([]);
    expect(retentionHours("2w")).toBe(336);
  });

  it("accepts one receiver of each type with routes", () => {
    expect(parseMonitoringConfig(ALL_RECEIVERS).alertmanager.receivers).toHaveLength(5);
  });

  it("fails when retention is below 1 day", () => {
    expect(() => parseMonitoringConfig({ prometheus: { retention: "12h" } })).toThrow(
      /addons\.monitoring\.prometheus\.retention.*"12h" is below 1 day/s,
    );
  });

  it("fails when retention is not a Prometheus duration of hours or more", () => {
    expect(() => parseMonitoringConfig({ prometheus: { retention: "90m" } })).toThrow(
      /prometheus\.retention/,
    );
  });

  it("fails when retentionSize does not fit the volume", () => {
    expect(() => parseMonitoringConfig({ prometheus: { retentionSize: "60GB", storageGiB: 50 } })).toThrow(
      /prometheus\.retentionSize.*"60GB" must be below the volume \(storageGiB 50\)/s,
    );
  });

  for (const [type, extra, what] of [
    ["slack", { channel: "#a" }, "webhook URL"],
    ["pagerduty", {}, "routing key"],
    [
      "email",
      { to: "a@example.com", from: "b@example.com", smarthost: "smtp.example.com:587", username: "u" },
      "SMTP password",
    ],
  ] as const) {
    it(`fails when a ${type} receiver has no secret ARN`, () => {
      expect(() =>
        parseMonitoringConfig({ alertmanager: { receivers: [{ name: "r", type, ...extra } as never] } }),
      ).toThrow(
        new RegExp(
          `alertmanager\\.receivers\\[0\\]\\.secretArn.*receiver "r" \\(${type}\\) needs secretArn.*${what}`,
          "s",
        ),
      );
    });
  }

  it("fails when a secret ARN is not a Secrets Manager ARN", () => {
    expect(() =>
      parseMonitoringConfig({
        alertmanager: { receivers: [{ name: "p", type: "pagerduty", secretArn: "my-routing-key" }] },
      }),
    ).toThrow(/alertmanager\.receivers\[0\]\.secretArn/);
  });

  it("fails when a route names an unknown receiver", () => {
    expect(() =>
      parseMonitoringConfig({
        alertmanager: {
          receivers: [{ name: "oncall", type: "pagerduty", secretArn: ARN("pd") }],
          routes: [{ receiver: "on-call", matchers: ['severity = "critical"'] }],
        },
      }),
    ).toThrow(
      /alertmanager\.routes\[0\]\.receiver.*unknown receiver "on-call"; expected one of "null", "oncall"/s,
    );
  });

  it("fails when the default receiver is unknown", () => {
    expect(() => parseMonitoringConfig({ alertmanager: { defaultReceiver: "ops" } })).toThrow(
      /alertmanager\.defaultReceiver.*unknown receiver "ops"/s,
    );
  });

  it("fails when two receivers share a name, or one is called null", () => {
    const pd = { name: "x", type: "pagerduty" as const, secretArn: ARN("pd") };
    expect(() => parseMonitoringConfig({ alertmanager: { receivers: [pd, pd] } })).toThrow(
      /receivers\[1\]\.name.*"x" is used twice/s,
    );
    expect(() => parseMonitoringConfig({ alertmanager: { receivers: [{ ...pd, name: "null" }] } })).toThrow(
      /reserved/,
    );
  });

  it("fails when the chart version leaves the pin's minor", () => {
    expect(() => parseMonitoringConfig({ helm: { chartVersion: "89.0.0" } })).toThrow(/helm\.chartVersion/);
  });
});
