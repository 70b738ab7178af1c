// A bound on requests in flight for routes anyone may call: each holds a body (up to the JSON
// cap), a parsed receipt and chain calls, so memory and event-loop time grow with their number.
// The slot is taken before the body is read, so slow and large bodies count too; past the bound
// the answer is an immediate 503 with Retry-After (RFC 9110 §10.2.3), not a queue.
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import { AppError } from "../errors.ts";

export interface InFlightLimit {
  hook: onRequestHookHandler;
  /** Requests holding a slot now. */
  readonly inFlight: number;
}

export function inFlightLimit(max: number, what: string, retryAfterSeconds = 1): InFlightLimit {
  let inFlight = 0;
  const hook = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (inFlight >= max) {
      reply.header("retry-after", String(retryAfterSeconds));
      throw new AppError("BUSY", `${max} ${what} are in progress; retry in ${retryAfterSeconds} s`);
    }
    inFlight++;
    // 'close' comes once, whether the response was sent or the client went away mid-request.
    reply.raw.once("close", () => inFlight--);
  };
  return {
    hook,
    get inFlight() {
      return inFlight;
    },
  };
}
