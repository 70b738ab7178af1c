// POST /rpc: the read-only JSON-RPC endpoint of the in-process chain (src/rpc/read-only.ts), for
// the scan page's browser verifier. Only in embedded mode: with a real chain, PUBLIC_RPC_URL names
// a public node, and CHAIN_RPC_URL (which may hold a key) is never exposed, not even by proxy.
import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { AppError } from "../errors.ts";
import { answerRpc, MAX_BODY_BYTES, type RawSender } from "../rpc/read-only.ts";
import { ErrorBody } from "../schemas/common.ts";

const rpcRoutes: FastifyPluginAsyncTypebox = async (app) => {
  if (!app.chain.embedded) return;
  await app.register(rateLimit, {
    // A page verifies a history in a few dozen calls; several pages a minute per client fit.
    max: app.config.PUBLIC_RATE_LIMIT * 20,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => new AppError("RATE_LIMITED", `too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  const chain = app.chain.provider as unknown as RawSender;
  app.post(
    "/rpc",
    {
      config: { access: "public" },
      bodyLimit: MAX_BODY_BYTES,
      schema: {
        tags: ["verify"],
        summary: "Read-only JSON-RPC of the in-process chain (embedded mode only), for browsers that verify receipts",
        description:
          "JSON-RPC 2.0, single calls or batches of at most 20: eth_chainId, eth_blockNumber, eth_call, eth_getLogs, eth_getTransactionByHash, eth_getTransactionReceipt, " +
          "eth_getBlockByNumber, eth_getBlockByHash, eth_getCode, net_version. Any other method is error -32601. No key; CORS open.",
        body: Type.Unknown({ description: "A JSON-RPC 2.0 request or batch" }),
        response: { 200: Type.Unknown({ description: "The JSON-RPC 2.0 response or batch response" }), 400: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => answerRpc(chain, request.body),
  );
};

export default rpcRoutes;
