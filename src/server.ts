// Process entry: config, logger, listen, graceful close — nothing else.
import closeWithGrace from "close-with-grace";
import { buildApp } from "./app.ts";
import { issueApiKey, hasAdminKey } from "./auth/api-keys.ts";
import { describeConfig, publicBaseUrl } from "./config.ts";
import { seedDemo } from "./demo/seed.ts";
import { configOrDie, die } from "./exit.ts";
import { createLogger } from "./logger.ts";
import { startPipeline, type Pipeline } from "./pipeline/pipeline.ts";
import { cannotListen, whyCannotListen } from "./port-check.ts";
import { openRuntime } from "./runtime.ts";
import { configSecretUrls, safeMessage, scrubberFor } from "./verifier/redact.ts";

async function main(): Promise<void> {
  const config = configOrDie("tracemark: ");
  // Before anything is printed or issued: a busy port is one line and exit 1.
  const busy = await whyCannotListen(config.HOST, config.PORT);
  if (busy) die(`tracemark: ${busy}`);

  const scrub = scrubberFor(configSecretUrls(config));
  const log = createLogger(config);
  const where = describeConfig(config);
  log.info(`starting: database ${where.database}; chain ${where.chain}`);

  const runtime = await openRuntime(config, { info: (m) => log.info(m), warn: (m) => log.warn(m) }).catch((error: unknown) =>
    die(`tracemark: ${safeMessage(error, scrub)}`),
  );
  if (runtime.database.ephemeral) log.warn("embedded PGlite in memory: every record is lost when this process exits (set DATABASE_URL or PGLITE_DATA_DIR to keep them)");

  const app = await buildApp({ config, database: runtime.database, chain: runtime.chain, logger: log });

  // Issued before listening, so that the first request can use it; shown only once the port is
  // ours (the probe above can lose a race with another process).
  const bootstrapKey =
    runtime.database.kind === "pglite" && !(await hasAdminKey(runtime.database.db))
      ? await issueApiKey(runtime.database.db, { role: "admin", label: "embedded bootstrap" })
      : null;

  let pipeline: Pipeline | null = null;
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) log.error({ err }, "shutting down after an error");
    else log.info(`${signal ?? "close"}: draining requests, then closing the database and the chain`);
    await app.close();
    await pipeline?.stop();
    await runtime.close();
    log.info("closed");
  });

  const address = await app.listen({ host: config.HOST, port: config.PORT }).catch((error: unknown) =>
    die(`tracemark: ${cannotListen(config.HOST, config.PORT, error)}`),
  );
  log.info(`Tracemark listening on ${address} (OpenAPI at ${address}/docs)`);
  if (bootstrapKey) {
    // Printed once, to the terminal of the person who started an embedded instance; not logged.
    process.stdout.write(`\nEmbedded mode: first admin API key (shown once, keep it):\n  ${bootstrapKey.token}\n\n`);
  }

  if (config.TRACEMARK_DEMO === "1") {
    const demo = await seedDemo(app, runtime.database.db, publicBaseUrl(config)).catch((error: unknown) => die(`tracemark: ${safeMessage(error, scrub)}`));
    // Like the admin key: shown once, on the terminal, not logged.
    if (demo.merchantKey) process.stdout.write(`Demo merchant API key (shown once, keep it):\n  ${demo.merchantKey}\n\n`);
    process.stdout.write(`Demo resolver URLs (product, lots, items):\n${demo.urls.join("\n")}\n\n`);
    // Any of them opens the scan page in a browser; these two show the most.
    if (demo.browse.item) process.stdout.write(`Open in a browser: ${demo.browse.item}  (an item's history, verified in your browser)\n`);
    process.stdout.write(`Open in a browser: ${demo.browse.recalledLot}  (a recalled lot)\n\n`);
  }

  if (config.PIPELINE === "on") pipeline = startPipeline(config, runtime.database, runtime.chain, log.child({ component: "pipeline" }));
  else log.info("PIPELINE=off: this process only serves the API");
}

await main();
