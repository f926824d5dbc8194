/**
 * JSON logs in Elastic Common Schema via pino + @elastic/ecs-pino-format. Feature values never reach the
 * logs unless LOG_FEATURES=true; credentials in headers are redacted.
 */
import { ecsFormat } from "@elastic/ecs-pino-format";
import { type DestinationStream, type Logger, pino } from "pino";

export interface LoggingOptions {
  readonly level: string;
  readonly serviceName?: string;
  readonly serviceVersion?: string;
}

export function createLogger(options: LoggingOptions, destination?: DestinationStream): Logger {
  const ecs = ecsFormat({
    convertReqRes: true,
    apmIntegration: false,
    serviceName: options.serviceName ?? "inference-service",
    ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion }),
  });
  return pino(
    {
      ...ecs,
      level: options.level,
      redact: {
        paths: ["req.headers.authorization", "req.headers.cookie", 'req.headers["x-api-key"]'],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
