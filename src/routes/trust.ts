// GET /.well-known/tracemark-trust.json: which contract anchors this service's receipts, for
// verifiers to fetch once and pin (docs/receipt-v1.md "Trust"). Public: it is what a user must be
// able to read before trusting anything else we say.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { serviceTrust } from "../chain/trust.ts";
import { TrustDocumentSchema } from "../verifier/trust.ts";

const trustRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const document = serviceTrust(app.chain);
  app.get(
    "/.well-known/tracemark-trust.json",
    {
      config: { access: "public" },
      schema: {
        tags: ["verify"],
        summary: "The trust document: the chain, contract and deploy block that anchor this service's receipts",
        description: "Fetch it once, save it, and verify receipts against it: `tracemark verify receipt.json --rpc URL --trust trust.json`.",
        response: { 200: TrustDocumentSchema },
      },
    },
    async (_request, reply) => {
      // It changes only when a chain or contract is added; caches may keep it for a while.
      void reply.header("cache-control", "public, max-age=300");
      return document;
    },
  );
};

export default trustRoutes;
