import { describe, expect, it } from "vitest";
import {
  cpuQuantity,
  kubernetesSecretName,
  memoryQuantity,
  storageQuantity,
} from "../../../constructs/primitives";

const ok = (schema: { safeParse: (v: unknown) => { success: boolean } }, v: unknown) =>
  schema.safeParse(v).success;

describe("Kubernetes quantities", () => {
  it("accepts millicores and decimal cores", () => {
    for (const v of ["1m", "250m", "1000m", "1", "2", "0.5", "1.25", "10"])
      expect(ok(cpuQuantity, v), v).toBe(true);
  });

  it("fails when a CPU quantity is zero, in any spelling", () => {
    for (const v of ["0", "0m", "00m", "0.0", "0.000"]) expect(ok(cpuQuantity, v), v).toBe(false);
    expect(cpuQuantity.safeParse("0m").error?.issues[0].message).toMatch(/CPU quantity above zero/);
  });

  it("fails when a CPU quantity uses exponents, units or signs the kit does not accept", () => {
    for (const v of ["1e3", "500M", "-1", "1.5m", " 1", "", "1k"]) expect(ok(cpuQuantity, v), v).toBe(false);
  });

  it("accepts memory and storage in binary-SI units", () => {
    for (const v of ["512Ki", "512Mi", "2Gi", "1Ti"]) {
      expect(ok(memoryQuantity, v), v).toBe(true);
      expect(ok(storageQuantity, v), v).toBe(true);
    }
  });

  it("fails when memory or storage is zero, fractional or in decimal units", () => {
    for (const v of ["0Mi", "0Gi", "1.5Gi", "512M", "2G", "2gi", "512", "Gi"]) {
      expect(ok(memoryQuantity, v), v).toBe(false);
      expect(ok(storageQuantity, v), v).toBe(false);
    }
  });

  it("fails when a Secret name is not a DNS subdomain", () => {
    expect(ok(kubernetesSecretName, "git-credentials.v1")).toBe(true);
    for (const v of ["Git", "-x", "x-", "a_b", "a".repeat(254)])
      expect(ok(kubernetesSecretName, v), v).toBe(false);
  });
});
