// Process entry: config, logger, listen, graceful close — nothing else.
import closeWithGrace from "close-with-grace";
import pino from "pino";
import { buildApp } from "./app.ts";
import { issueApiKey, hasAdminKey } from "./auth/api-keys.ts";
import { describeConfig } from "./config.ts";
import { configOrDie, die, firstLine } from "./exit.ts";
import { loggerOptions } from "./logger.ts";
import { startPipeline, type Pipeline } from "./pipeline/pipeline.ts";
import { openRuntime } from "./runtime.ts";

async function main(): Promise<void> {
  const config = configOrDie("tracemark: ");
  const log = pino(loggerOptions(config));
  const where = describeConfig(config);
  log.info(`starting: database ${where.database}; chain ${where.chain}`);

  const runtime = await openRuntime(config, { info: (m) => log.info(m), warn: (m) => log.warn(m) }).catch((error: unknown) =>
    die(`tracemark: ${firstLine(error)}`),
  );
  if (runtime.database.ephemeral) log.warn("embedded PGlite in memory: every record is lost when this process exits (set DATABASE_URL or PGLITE_DATA_DIR to keep them)");

  const app = await buildApp({ config, database: runtime.database, chain: runtime.chain, logger: log });

  if (runtime.database.kind === "pglite" && !(await hasAdminKey(runtime.database.db))) {
    const admin = await issueApiKey(runtime.database.db, { role: "admin", label: "embedded bootstrap" });
    // Printed once, to the terminal of the person who started an embedded instance; not logged.
    process.stdout.write(`\nEmbedded mode: first admin API key (shown once, keep it):\n  ${admin.token}\n\n`);
  }

  let pipeline: Pipeline | null = null;
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) log.error({ err }, "shutting down after an error");
    else log.info(`${signal ?? "close"}: draining requests, then closing the database and the chain`);
    await app.close();
    await pipeline?.stop();
    await runtime.close();
    log.info("closed");
  });

  const address = await app.listen({ host: config.HOST, port: config.PORT });
  log.info(`Tracemark listening on ${address} (OpenAPI at ${address}/docs)`);
  if (config.PIPELINE === "on") pipeline = startPipeline(config, runtime.database, runtime.chain, log.child({ component: "pipeline" }));
  else log.info("PIPELINE=off: this process only serves the API");
}

await main();
