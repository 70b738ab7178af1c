// One TraceHistory per app (`app.traceHistory`): GET /v1/trace and the scan page answer from the
// same cache, so a code scanned both ways is built and checked once, not once per route.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { publicBaseUrl } from "../../config.ts";
import { TraceHistory } from "./trace-view.ts";

declare module "fastify" {
  interface FastifyInstance {
    traceHistory: TraceHistory;
  }
}

async function traceHistoryPlugin(app: FastifyInstance): Promise<void> {
  app.decorate("traceHistory", new TraceHistory(app.db, publicBaseUrl(app.config), app.config.TRACE_CACHE_MAX_AGE_MS));
}

export default fp(traceHistoryPlugin, { name: "tracemark-trace-history", dependencies: ["tracemark-context"] });
