import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { LogLevel } from "fastify";
import { sql } from "kysely";
import { Type } from "typebox";
import { configSecretUrls, safeMessage, scrubberFor, type Scrub } from "../verifier/redact.ts";

const CHECK_TIMEOUT_MS = 3_000;

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) });
const Readiness = Type.Object({ ready: Type.Boolean(), database: Check, chain: Check });

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

/** The detail is public: an ethers error's message holds the RPC URL, whose path may be a key. */
async function check(what: string, probe: () => Promise<string>, scrub: Scrub): Promise<{ ok: boolean; detail: string }> {
  try {
    return { ok: true, detail: await withTimeout(probe(), what) };
  } catch (error) {
    return { ok: false, detail: safeMessage(error, scrub) || `${what} failed` };
  }
}

/**
 * Probes come every few seconds from a load balancer or an orchestrator: their request lines
 * belong to debug. A route's logLevel is the threshold of its request logger (Fastify logs the
 * request lines at info), so the probes are logged only when LOG_LEVEL is debug or trace; their
 * warnings and errors always are.
 */
export function probeLogLevel(level: string): LogLevel {
  return level === "debug" || level === "trace" || level === "silent" ? level : "warn";
}

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const scrub = scrubberFor(configSecretUrls(app.config));
  const logLevel = probeLogLevel(app.config.LOG_LEVEL);

  app.get(
    "/healthz",
    { logLevel, config: { access: "public" }, schema: { tags: ["health"], summary: "The process is alive", response: { 200: Type.Object({ status: Type.Literal("ok") }) } } },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      logLevel,
      config: { access: "public" },
      schema: {
        tags: ["health"],
        summary: "The database and the chain both answer",
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const [database, chain] = await Promise.all([
        check("database", async () => {
          await sql`select 1`.execute(app.db);
          return app.database.kind;
        }, scrub),
        check("chain", async () => `chain ${app.chain.chainId}, block ${await app.chain.provider.getBlockNumber()}`, scrub),
      ]);
      const ready = database.ok && chain.ok;
      return reply.status(ready ? 200 : 503).send({ ready, database, chain });
    },
  );
};

export default healthRoutes;
