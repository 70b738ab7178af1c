// The service's logger: JSON lines for machines, readable lines for a person at a terminal, and
// in both cases no secret. Every line passes through the scrubber on its way out, whatever put
// the secret there (a message, an ethers error's `info.requestUrl`, a serialized `err`).
import { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";
import type { Config } from "./config.ts";
import { REDACTED_PATHS } from "./app.ts";
import { configSecretUrls, scrubberFor, type Scrub } from "./verifier/redact.ts";

export type LogFormat = "json" | "pretty";

/** LOG_FORMAT when set; otherwise pretty on a terminal, JSON when stdout is a pipe or a file. */
export function logFormat(config: Pick<Config, "LOG_FORMAT">, stdoutIsTerminal = process.stdout.isTTY === true): LogFormat {
  return config.LOG_FORMAT ?? (stdoutIsTerminal ? "pretty" : "json");
}

export function loggerOptions(config: Config): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
}

/** A destination that scrubs each line before `sink` sees it. */
export function scrubbing(sink: DestinationStream, scrub: Scrub): DestinationStream {
  return { write: (line: string) => sink.write(scrub(line)) };
}

function sinkFor(format: LogFormat, stdoutIsTerminal: boolean): DestinationStream {
  // Synchronous, so that the last lines before an exit are written (and in order with the
  // embedded admin key, which goes to stdout directly).
  if (format === "json") return pino.destination({ dest: 1, sync: true });
  return pretty({ destination: 1, sync: true, colorize: stdoutIsTerminal, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" });
}

export function createLogger(config: Config, stdoutIsTerminal = process.stdout.isTTY === true): Logger {
  const scrub = scrubberFor(configSecretUrls(config));
  return pino(loggerOptions(config), scrubbing(sinkFor(logFormat(config, stdoutIsTerminal), stdoutIsTerminal), scrub));
}

/**
 * Fastify's two lines per request ("incoming request", "request completed") at debug, not info: at
 * thousands of requests a second they were a JSON serialisation and a synchronous write each,
 * for lines nobody reads at the default level. Failures still log as before: a request that
 * errored at error, a 4xx or 5xx answer from src/plugins/errors.ts at info or above.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, "incoming request");
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    if (!this.isLogDisabled(request)) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, "request completed");
  }
}
