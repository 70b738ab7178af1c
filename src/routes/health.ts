import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { sql } from "kysely";
import { Type } from "typebox";

const CHECK_TIMEOUT_MS = 3_000;

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) });
const Readiness = Type.Object({ ready: Type.Boolean(), database: Check, chain: Check });

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

async function check(what: string, probe: () => Promise<string>): Promise<{ ok: boolean; detail: string }> {
  try {
    return { ok: true, detail: await withTimeout(probe(), what) };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message.split("\n")[0] ?? what : `${what} failed` };
  }
}

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/healthz",
    { config: { access: "public" }, schema: { tags: ["health"], summary: "The process is alive", response: { 200: Type.Object({ status: Type.Literal("ok") }) } } },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
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
        }),
        check("chain", async () => `chain ${app.chain.chainId}, block ${await app.chain.provider.getBlockNumber()}`),
      ]);
      const ready = database.ok && chain.ok;
      return reply.status(ready ? 200 : 503).send({ ready, database, chain });
    },
  );
};

export default healthRoutes;
