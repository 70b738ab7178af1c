import type { LoggerOptions } from "pino";
import type { Config } from "./config.ts";
import { REDACTED_PATHS } from "./app.ts";

export function loggerOptions(config: Config): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
}
