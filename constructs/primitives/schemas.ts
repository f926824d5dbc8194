import { z } from "zod";

/** Schema building blocks shared by the platform configuration and the constructs that validate their props. */

const CIDR_V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export interface Cidr {
  readonly network: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`; returns undefined for anything else, including host bits set. */
export function parseCidr(value: string): Cidr | undefined {
  const m = CIDR_V4.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const network = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((network & mask) >>> 0 !== network) return undefined;
  return { network, prefix };
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (a.network & mask) >>> 0 === (b.network & mask) >>> 0;
}

export const cidr = z.string().refine((v) => parseCidr(v) !== undefined, {
  message: "expected an IPv4 CIDR block with no host bits set, like 10.0.0.0/16",
});

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const logRetentionInDays = z
  .number()
  .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
    message: `expected a CloudWatch Logs retention period: one of ${LOG_RETENTION_DAYS.join(", ")}`,
  });

export const awsRegion = z
  .string()
  .regex(/^(us|eu|ap|sa|ca|me|af|il|mx|us-gov|cn)-[a-z]+-\d$/, "expected an AWS region code like eu-west-1");

/** Lower-case DNS label: used in resource names, bucket names and Kubernetes labels. */
export const dnsLabel = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(
      /^[a-z]([a-z0-9-]*[a-z0-9])?$/,
      "expected lower-case letters, digits and '-', starting with a letter",
    );

export const tags = z.record(
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\w .:/=+\-@]+$/, "expected a tag key of letters, digits and _ .:/=+-@"),
  z.string().max(256),
);
