import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { RequestLogController } from "./logger.ts";
import authPlugin from "./plugins/auth.ts";
import bodyDeadlinePlugin from "./plugins/body-deadline.ts";
import contextPlugin, { type AppContext } from "./plugins/context.ts";
import errorsPlugin, { clientErrorHandler, frameworkErrors } from "./plugins/errors.ts";
import traceHistoryPlugin from "./trace/events/history-plugin.ts";
import mediaTypesPlugin from "./plugins/media-types.ts";
import routeTablePlugin from "./plugins/route-table.ts";
import securityHeadersPlugin from "./plugins/security-headers.ts";
import storableTextPlugin from "./plugins/storable-text.ts";
import jobsPlugin from "./plugins/jobs.ts";
import blobsPlugin from "./plugins/blobs.ts";
import pagesPlugin from "./pages/plugin.ts";
import rpcRoutes from "./routes/rpc.ts";
import swaggerPlugin from "./plugins/swagger.ts";
import adminRoutes from "./routes/admin.ts";
import casesRoutes from "./routes/cases.ts";
import mediatorPages from "./routes/mediator-pages.ts";
import epcisCaptureRoutes from "./routes/epcis-capture.ts";
import epcisQueryRoutes from "./routes/epcis-query.ts";
import healthRoutes from "./routes/health.ts";
import itemsRoutes from "./routes/items.ts";
import jobsRoutes from "./routes/jobs.ts";
import lotsRoutes from "./routes/lots.ts";
import meRoutes from "./routes/me.ts";
import ordersRoutes from "./routes/orders.ts";
import prefixesRoutes from "./routes/prefixes.ts";
import productsRoutes from "./routes/products.ts";
import qrRoutes from "./routes/qr.ts";
import recallsRoutes from "./routes/recalls.ts";
import recordsRoutes from "./routes/records.ts";
import resolverLinksRoutes from "./routes/resolver-links.ts";
import resolverRoutes from "./routes/resolver.ts";
import streamsRoutes from "./routes/streams.ts";
import traceRoutes from "./routes/trace.ts";
import trustRoutes from "./routes/trust.ts";
import verifyRoutes from "./routes/verify.ts";
import evidenceRoutes from "./routes/evidence.ts";
import consumerRoutes from "./routes/consumer.ts";
import scanEvidence from "./routes/scan-evidence.ts";

export interface BuildAppOptions extends AppContext {
  /** A pino logger; without one the app logs nothing (tests). */
  logger?: FastifyBaseLogger;
}

/** Logs never carry API keys or other credentials. */
export const REDACTED_PATHS = ["req.headers.authorization", 'req.headers["x-api-key"]'];

/**
 * Time limits of the HTTP server (README "Limits"). A request body is also held to
 * BODY_TIMEOUT_MS plus a minimum rate (src/plugins/body-deadline.ts); these are the outer bounds.
 */
export const HTTP_TIMEOUTS = {
  /** Headers must be complete this long after the connection's request starts (Node's headersTimeout). */
  headersMs: 10_000,
  /** The whole request, body included, must arrive within this (Node's requestTimeout): a 1 GiB upload at ≥ 0.6 MiB/s. */
  requestMs: 30 * 60_000,
  /** A socket with no traffic either way for this long is closed (Node's server.timeout). */
  idleMs: 60_000,
  /** How often Node checks the two deadlines above. */
  checkEveryMs: 1_000,
};

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Request lines at debug (src/logger.ts): not a log write per request at the default level.
    logController: new RequestLogController(),
    // Keyed routes only: a request without a valid key is refused before its body is read, and
    // the public routes set their own, smaller cap (src/routes/verify.ts).
    bodyLimit: 16 * 1024 * 1024,
    // Unknown fields are errors that name the field, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    // Notarization hashes exactly what was sent: a "__proto__" or "constructor" member is data.
    // JSON.parse makes it an own property (never the prototype), and RFC 8785 hashes it like any other.
    onProtoPoisoning: "ignore",
    onConstructorPoisoning: "ignore",
    requestTimeout: HTTP_TIMEOUTS.requestMs,
    connectionTimeout: HTTP_TIMEOUTS.idleMs,
    http: { headersTimeout: HTTP_TIMEOUTS.headersMs, connectionsCheckingInterval: HTTP_TIMEOUTS.checkEveryMs, requireHostHeader: false },
    frameworkErrors,
    clientErrorHandler,
    // Closing: stop accepting, let in-flight requests finish.
    forceCloseConnections: "idle",
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(routeTablePlugin);
  await app.register(contextPlugin, { config: options.config, database: options.database, chain: options.chain });
  await app.register(errorsPlugin);
  await app.register(traceHistoryPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(bodyDeadlinePlugin);
  await app.register(mediaTypesPlugin);
  await app.register(storableTextPlugin);
  // Before any route, the OpenAPI UI's too: every route's declared access is collected and enforced.
  await app.register(authPlugin);
  await app.register(swaggerPlugin);
  await app.register(jobsPlugin);
  // The evidence file store (app.blobs): evidence files, qualifications and case bundles read it.
  await app.register(blobsPlugin);
  await app.register(pagesPlugin);

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
  await app.register(epcisQueryRoutes);
  await app.register(recallsRoutes);
  await app.register(traceRoutes);
  await app.register(resolverRoutes);
  await app.register(resolverLinksRoutes);
  await app.register(qrRoutes);
  await app.register(streamsRoutes);
  await app.register(ordersRoutes);
  await app.register(evidenceRoutes);
  await app.register(consumerRoutes);
  await app.register(scanEvidence);
  await app.register(rpcRoutes);
  await app.register(casesRoutes);
  await app.register(mediatorPages);
  return app;
}
