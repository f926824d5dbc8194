import { z } from "zod";

/**
 * Kubernetes resource quantities as the kit accepts them: plain decimal forms (no exponents), and never zero, since
 * a zero request or limit is either meaningless (a limit) or silently best-effort (a request).
 */

/** CPU: millicores (`250m`) or cores (`1`, `0.5`); the lookahead requires a non-zero digit. */
export const CPU_QUANTITY = /^(?=.*[1-9])(\d+m|\d+(\.\d+)?)$/;

/** Memory and storage: a whole number of binary-SI units (`512Mi`, `2Gi`, `100Gi`, `1Ti`), not zero. */
export const BYTES_QUANTITY = /^[1-9]\d*(Ki|Mi|Gi|Ti)$/;

export const cpuQuantity = z
  .string()
  .regex(CPU_QUANTITY, 'expected a CPU quantity above zero like "250m" or "1"');

export const memoryQuantity = z
  .string()
  .regex(
    BYTES_QUANTITY,
    'expected a memory quantity above zero like "512Mi" or "2Gi" (units Ki, Mi, Gi, Ti)',
  );

const MI_PER_UNIT = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 } as const;

/** A memory quantity of `BYTES_QUANTITY` in MiB (`"2Gi"` → 2048), for comparing a limit with a request. */
export function memoryQuantityMi(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  return m ? Number(m[1]) * MI_PER_UNIT[m[2] as keyof typeof MI_PER_UNIT] : Number.NaN;
}

/** What a container asks for: requests, and a memory limit (no CPU limit: throttling hurts more than it saves). */
export interface ContainerResourceSizes {
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

/**
 * `{ cpuRequest, memoryRequest, memoryLimit }` with an add-on's defaults, `per` ending each description (" per
 * replica"); a memory limit below the request fails at `<path>.memoryLimit`.
 */
export function containerResourcesSchema(defaults: ContainerResourceSizes, per = "") {
  return z
    .strictObject({
      cpuRequest: cpuQuantity.default(defaults.cpuRequest).describe(`CPU request${per}.`),
      memoryRequest: memoryQuantity.default(defaults.memoryRequest).describe(`Memory request${per}.`),
      memoryLimit: memoryQuantity.default(defaults.memoryLimit).describe(`Memory limit${per}.`),
    })
    .superRefine((r, ctx) => {
      if (memoryQuantityMi(r.memoryLimit) >= memoryQuantityMi(r.memoryRequest)) return;
      ctx.addIssue({
        code: "custom",
        path: ["memoryLimit"],
        message: `memoryLimit ${JSON.stringify(r.memoryLimit)} is below memoryRequest ${JSON.stringify(r.memoryRequest)}`,
        params: { formatted: true },
      });
    })
    .default({ ...defaults });
}

export const storageQuantity = z
  .string()
  .regex(BYTES_QUANTITY, 'expected a volume size above zero like "100Gi" (units Ki, Mi, Gi, Ti)');

/** Kubernetes object names that are DNS subdomains (Secrets, ConfigMaps): lower-case, '-' and '.', up to 253. */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const kubernetesSecretName = z
  .string()
  .max(253)
  .regex(DNS_SUBDOMAIN, "expected a Kubernetes Secret name (a-z, 0-9, '-', '.')");
