import { describe, expect, it } from "vitest";
import {
  amiArchitecture,
  defaultAmiType,
  instanceArchitecture,
  isBottlerocket,
  NVIDIA_AMI_TYPES,
  STANDARD_AMI_TYPES,
} from "../../../constructs/cluster";

describe("AMI types", () => {
  it("default to AL2023 of the instance architecture, NVIDIA for GPU pools", () => {
    expect(defaultAmiType(false, ["m7i.large"])).toBe("AL2023_x86_64_STANDARD");
    expect(defaultAmiType(false, ["m7g.large"])).toBe("AL2023_ARM_64_STANDARD");
    expect(defaultAmiType(true, ["g6.xlarge"])).toBe("AL2023_x86_64_NVIDIA");
  });

  it("know their CPU architecture and family", () => {
    for (const ami of [...STANDARD_AMI_TYPES, ...NVIDIA_AMI_TYPES]) {
      expect(amiArchitecture(ami)).toBe(ami.includes("ARM") ? "arm64" : "x86_64");
    }
    expect(isBottlerocket("BOTTLEROCKET_x86_64_NVIDIA")).toBe(true);
    expect(isBottlerocket("AL2023_x86_64_NVIDIA")).toBe(false);
    expect(NVIDIA_AMI_TYPES.every((a) => a.endsWith("_NVIDIA"))).toBe(true);
    expect(STANDARD_AMI_TYPES.some((a) => a.includes("NVIDIA"))).toBe(false);
  });

  it("map instance types to architectures", () => {
    expect(instanceArchitecture("c7gn.large")).toBe("arm64");
    expect(instanceArchitecture("g5.xlarge")).toBe("x86_64");
    expect(instanceArchitecture("m7i-flex.large")).toBe("x86_64");
  });
});
