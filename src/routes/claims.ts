import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { AppError } from "../errors.ts";
import { RetryLater } from "../scans/claims.ts";
import { ErrorBody } from "../schemas/common.ts";
import { ClaimInput, ClaimView } from "../schemas/public.ts";
import { acceptedReceipt } from "../records/receipts.ts";

const claimsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(rateLimit, {
    max: app.config.PUBLIC_RATE_LIMIT,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => new AppError("RATE_LIMITED", `too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });

  app.post(
    "/v1/public/claims",
    {
      bodyLimit: 4 * 1024,
      config: { access: "public" },
      schema: {
        tags: ["public"],
        summary: "Claim a serialised item with the scratch PIN under its label",
        description:
          "The item becomes claimed: a public record on its subject (no personal data), and this device is remembered as the claimer's, so later scans " +
          "from other devices are warned. A wrong PIN is a 422; past CLAIM_MAX_FAILURES_PER_ITEM wrong PINs for the item, or CLAIM_MAX_FAILURES_PER_CLIENT " +
          "from one client, within CLAIM_FAILURE_WINDOW_MS, a 429 with Retry-After that says which. A claimed item is a 409.",
        body: ClaimInput,
        response: { 201: ClaimView, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      try {
        const claimed = await app.scans.claim(request, request.body);
        return reply.status(201).send({ subject: claimed.subject, claimedAt: claimed.claimedAt, recordId: claimed.record.id, receipt: acceptedReceipt(claimed.record) });
      } catch (error) {
        if (error instanceof RetryLater) reply.header("retry-after", String(error.retryAfterSeconds));
        throw error;
      }
    },
  );
};

export default claimsRoutes;
