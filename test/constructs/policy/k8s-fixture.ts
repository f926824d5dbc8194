import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import type { Construct } from "constructs";

export interface ContainerOptions {
  securityContext?: boolean;
  resources?: boolean;
  probes?: boolean;
}

/** A typed container block; every option defaults to the compliant setting. */
export function container(name: string, o: ContainerOptions = {}) {
  return {
    name,
    image: "registry.example.com/app:1.0.0",
    securityContext:
      (o.securityContext ?? true)
        ? {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          }
        : undefined,
    resources:
      (o.resources ?? true)
        ? { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }
        : undefined,
    readinessProbe: (o.probes ?? true) ? { httpGet: { path: "/ready", port: "8080" } } : undefined,
    livenessProbe: (o.probes ?? true) ? { httpGet: { path: "/live", port: "8080" } } : undefined,
  };
}

export function deployment(scope: Construct, id: string, o: ContainerOptions = {}): DeploymentV1 {
  return new DeploymentV1(scope, id, {
    metadata: { name: id.toLowerCase(), namespace: "apps" },
    spec: {
      selector: { matchLabels: { app: id.toLowerCase() } },
      template: {
        metadata: { labels: { app: id.toLowerCase() } },
        spec: { container: [container("main", o)] },
      },
    },
  });
}

export function job(scope: Construct, id: string, o: ContainerOptions = {}): JobV1 {
  return new JobV1(scope, id, {
    metadata: { name: id.toLowerCase(), namespace: "apps" },
    spec: {
      template: {
        metadata: {},
        spec: { container: [container("main", o)], restartPolicy: "Never" },
      },
    },
  });
}
