/**
 * SASL/OAUTHBEARER tokens for Amazon MSK IAM, signed by AWS's own library (aws-msk-iam-sasl-signer-js) with
 * credentials from the AWS SDK's default chain — IRSA web identity or EKS Pod Identity in the cluster, never
 * static keys. A token is a SigV4-presigned `kafka-cluster:Connect` URL, valid at most 15 minutes (less when
 * the credentials expire sooner). kafkajs asks for one on every new connection and on re-authentication when
 * MSK's session lifetime ends; the provider hands out a cached token until it is close to expiry, then signs a
 * new one, so no connection ever starts with a token about to lapse.
 */

import { generateAuthToken } from "aws-msk-iam-sasl-signer-js";
import type { OauthbearerProviderResponse } from "kafkajs";

export interface MskTokenProviderOptions {
  readonly region: string;
  /** Signs a token; default: the AWS library from the default credential chain. */
  readonly generate?: (options: { region: string }) => Promise<{ token: string; expiryTime: number }>;
  /**
   * A token is replaced once less than this is left (capped at half its lifetime). Default 60 s: well above
   * kafkajs's 10 s re-authentication threshold, since a session that starts with less than that left would be
   * renewed at once, and Kafka refuses a second re-authentication within a second.
   */
  readonly refreshBeforeMs?: number;
  readonly now?: () => number;
}

export function mskIamTokenProvider(
  options: MskTokenProviderOptions,
): () => Promise<OauthbearerProviderResponse> {
  const generate = options.generate ?? generateAuthToken;
  const now = options.now ?? Date.now;
  const margin = options.refreshBeforeMs ?? 60_000;
  let cached: { value: string; refreshAt: number } | undefined;
  let pending: Promise<OauthbearerProviderResponse> | undefined;
  return async () => {
    if (cached && now() < cached.refreshAt) return { value: cached.value };
    // Connections to several brokers authenticate at once: they share one signing.
    pending ??= (async () => {
      try {
        const issuedAt = now();
        const { token, expiryTime } = await generate({ region: options.region });
        cached = { value: token, refreshAt: expiryTime - Math.min(margin, (expiryTime - issuedAt) / 2) };
        return { value: token };
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
}
