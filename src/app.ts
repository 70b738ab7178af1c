import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import authPlugin from "./plugins/auth.ts";
import contextPlugin, { type AppContext } from "./plugins/context.ts";
import errorsPlugin from "./plugins/errors.ts";
import jobsPlugin from "./plugins/jobs.ts";
import swaggerPlugin from "./plugins/swagger.ts";
import adminRoutes from "./routes/admin.ts";
import epcisCaptureRoutes from "./routes/epcis-capture.ts";
import healthRoutes from "./routes/health.ts";
import itemsRoutes from "./routes/items.ts";
import jobsRoutes from "./routes/jobs.ts";
import lotsRoutes from "./routes/lots.ts";
import meRoutes from "./routes/me.ts";
import prefixesRoutes from "./routes/prefixes.ts";
import productsRoutes from "./routes/products.ts";
import recallsRoutes from "./routes/recalls.ts";
import recordsRoutes from "./routes/records.ts";
import traceRoutes from "./routes/trace.ts";
import trustRoutes from "./routes/trust.ts";
import verifyRoutes from "./routes/verify.ts";

export interface BuildAppOptions extends AppContext {
  /** A pino logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
}

/** Logs never carry API keys or other credentials. */
export const REDACTED_PATHS = ["req.headers.authorization", 'req.headers["x-api-key"]'];

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: 16 * 1024 * 1024,
    // Unknown fields are errors that name the field, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    // Closing: stop accepting, let in-flight requests finish.
    forceCloseConnections: "idle",
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(contextPlugin, { config: options.config, database: options.database, chain: options.chain });
  await app.register(errorsPlugin);
  // Before any route, the OpenAPI UI's too: every route's declared access is collected and enforced.
  await app.register(authPlugin);
  await app.register(swaggerPlugin);
  await app.register(jobsPlugin);

  await app.register(healthRoutes);
  await app.register(meRoutes);
  await app.register(adminRoutes);
  await app.register(recordsRoutes);
  await app.register(verifyRoutes);
  await app.register(trustRoutes);
  await app.register(prefixesRoutes);
  await app.register(productsRoutes);
  await app.register(lotsRoutes);
  await app.register(itemsRoutes);
  await app.register(jobsRoutes);
  await app.register(epcisCaptureRoutes);
  await app.register(recallsRoutes);
  await app.register(traceRoutes);
  return app;
}
