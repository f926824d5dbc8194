import { describe, expect, it } from "vitest";
import {
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  withKeyOrder,
} from "../../../constructs/core/pod-security";

describe("restricted pod security", () => {
  it("a pod context is non-root with the RuntimeDefault seccomp profile, ids in a fixed order", () => {
    expect(restrictedPodSecurityContext()).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const pod = restrictedPodSecurityContext({
      fsGroupChangePolicy: "OnRootMismatch",
      fsGroup: 7,
      runAsGroup: 7,
      runAsUser: 7,
    });
    expect(Object.keys(pod)).toEqual([
      "runAsNonRoot",
      "runAsUser",
      "runAsGroup",
      "fsGroup",
      "fsGroupChangePolicy",
      "seccompProfile",
    ]);
  });

  it("a container context drops every capability, forbids escalation and is read-only by default", () => {
    expect(restrictedContainerSecurityContext()).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(restrictedContainerSecurityContext({ readOnlyRootFilesystem: false }).readOnlyRootFilesystem).toBe(
      false,
    );
    expect(restrictedContainerSecurityContext({ readOnlyRootFilesystem: "unset" })).not.toHaveProperty(
      "readOnlyRootFilesystem",
    );
    const c = restrictedContainerSecurityContext({ runAsGroup: "9", runAsUser: "9", privileged: false });
    expect(Object.keys(c)).toEqual([
      "allowPrivilegeEscalation",
      "capabilities",
      "readOnlyRootFilesystem",
      "runAsNonRoot",
      "privileged",
      "runAsUser",
      "runAsGroup",
      "seccompProfile",
    ]);
    expect(c.runAsUser).toBe("9");
  });

  it("returns a fresh object each call, so a caller's change cannot leak into another workload", () => {
    const a = restrictedContainerSecurityContext();
    a.capabilities.drop.push("ALL");
    expect(restrictedContainerSecurityContext().capabilities.drop).toEqual(["ALL"]);
  });

  it("withKeyOrder moves the listed keys first and keeps every value", () => {
    const ordered = withKeyOrder(restrictedContainerSecurityContext(), [
      "runAsNonRoot",
      "readOnlyRootFilesystem",
    ]);
    expect(Object.keys(ordered)).toEqual([
      "runAsNonRoot",
      "readOnlyRootFilesystem",
      "allowPrivilegeEscalation",
      "capabilities",
      "seccompProfile",
    ]);
    expect(ordered).toEqual(restrictedContainerSecurityContext());
    expect(Object.keys(withKeyOrder({ a: 1 } as { a: number; b?: number }, ["b", "a"]))).toEqual(["a"]);
  });
});
