import type { AlertReceiver, MonitoringConfig } from "./config";
import { ALERTMANAGER_SECRETS_DIR, receiverSecretName } from "./names";

/**
 * Alertmanager's configuration as the kit renders it into the chart's `alertmanager.config`. Secrets appear
 * only as file paths (`*_file` fields) into Secrets that External Secrets fills and the operator mounts
 * (`alertmanagerSpec.secrets`), so no Slack URL, routing key or password passes through Terraform.
 */

/** The Kubernetes Secret key each receiver type's file reads, and the Secrets Manager JSON property behind it. */
export const RECEIVER_SECRET_KEYS = {
  webhook: { key: "token", property: "token" },
  slack: { key: "api-url", property: "apiUrl" },
  pagerduty: { key: "routing-key", property: "routingKey" },
  email: { key: "password", property: "password" },
} as const;

/** The receiver that drops what reaches it: the default when none is configured, and the Watchdog's. */
export const NULL_RECEIVER = "null";

/** Receivers whose secret External Secrets syncs (webhooks without a token have none). */
export function receiversWithSecrets(config: MonitoringConfig): AlertReceiver[] {
  return config.alertmanager.receivers.filter((r) => r.secretArn !== undefined);
}

function secretFile(receiver: AlertReceiver, dir: string): string {
  return `${dir}/${receiverSecretName(receiver.name)}/${RECEIVER_SECRET_KEYS[receiver.type].key}`;
}

function receiverConfig(r: AlertReceiver, dir: string): Record<string, unknown> {
  const file = r.secretArn ? secretFile(r, dir) : undefined;
  switch (r.type) {
    case "webhook":
      return {
        name: r.name,
        webhook_configs: [
          {
            url: r.url,
            send_resolved: r.sendResolved,
            ...(file ? { http_config: { authorization: { type: "Bearer", credentials_file: file } } } : {}),
          },
        ],
      };
    case "slack":
      return {
        name: r.name,
        slack_configs: [{ api_url_file: file, channel: r.channel, send_resolved: r.sendResolved }],
      };
    case "pagerduty":
      return { name: r.name, pagerduty_configs: [{ routing_key_file: file, send_resolved: r.sendResolved }] };
    case "email":
      return {
        name: r.name,
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            auth_username: r.username,
            auth_password_file: file,
            require_tls: true,
            send_resolved: r.sendResolved,
          },
        ],
      };
  }
}

/**
 * The `alertmanager.config` value. Helm merges it over the chart's default (maps by key, lists replace), so
 * `route.routes` and `receivers` are always set: the chart's Watchdog route stays, in front of the kit's routes.
 * `secretsDir` is where the Secrets are mounted; tests point it at temp files.
 */
export function alertmanagerConfig(
  config: MonitoringConfig,
  secretsDir: string = ALERTMANAGER_SECRETS_DIR,
): Record<string, unknown> {
  const am = config.alertmanager;
  const defaultReceiver = am.defaultReceiver ?? am.receivers[0]?.name ?? NULL_RECEIVER;
  return {
    route: {
      receiver: defaultReceiver,
      group_by: am.groupBy,
      group_wait: am.groupWait,
      group_interval: am.groupInterval,
      repeat_interval: am.repeatInterval,
      routes: [
        // The always-firing heartbeat alert of the chart's default rules: proof the pipeline works, not a page.
        { receiver: NULL_RECEIVER, matchers: ['alertname = "Watchdog"'] },
        ...am.routes.map((r) => ({ receiver: r.receiver, matchers: r.matchers, continue: r.continue })),
      ],
    },
    receivers: [{ name: NULL_RECEIVER }, ...am.receivers.map((r) => receiverConfig(r, secretsDir))],
  };
}

/** ESO templates: the Secrets Manager JSON property becomes the Secret key Alertmanager's file field reads. */
export function receiverSecretTemplate(receiver: AlertReceiver): Record<string, string> {
  const { key, property } = RECEIVER_SECRET_KEYS[receiver.type];
  return { [key]: `{{ .${property} }}` };
}
