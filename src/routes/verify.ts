import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { AppError, invalid } from "../errors.ts";
import { serviceTrust } from "../chain/trust.ts";
import { isJsonMediaType } from "../merkle/index.ts";
import { inFlightLimit } from "../plugins/in-flight.ts";
import { ErrorBody } from "../schemas/common.ts";
import { looksLikeDisclosure, verifyDisclosure } from "../verifier/disclosure.ts";
import { verifyReceipt } from "../verifier/index.ts";
import { TrustAnchorSchema } from "../verifier/trust.ts";
import { readVerifyForm } from "./verify-form.ts";

/**
 * What a receipt needs, with room to spare (a receipt is a few KiB; its audit path grows with the
 * log of the batch size): the cap on the JSON body of /v1/verify, on the receipt in the upload
 * form, and on JSON content this service canonicalises (RFC 8785 needs the parsed value).
 */
export const PUBLIC_JSON_MAX_BYTES = 1024 * 1024;

const StepOut = Type.Object({
  step: Type.String(),
  ok: Type.Union([Type.Boolean(), Type.Null()]),
  reason: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
});
const ReportOut = Type.Object({
  status: Type.Union([Type.Literal("valid"), Type.Literal("invalid"), Type.Literal("pending"), Type.Literal("error"), Type.Literal("untrusted")]),
  valid: Type.Boolean(),
  mode: Type.Union([Type.Literal("offline"), Type.Literal("chain")]),
  summary: Type.String(),
  steps: Type.Array(StepOut),
  onChain: Type.Optional(Type.Object({}, { additionalProperties: true })),
  trust: Type.Optional(Type.Array(TrustAnchorSchema, { description: "the contracts the receipt was checked against: this service's own" })),
  disclosure: Type.Optional(
    Type.Object(
      {
        format: Type.String(),
        disclosed: Type.Array(Type.Object({ name: Type.String(), value: Type.Unknown(), digest: Type.String() })),
        hidden: Type.Integer({ minimum: 0, description: "fields committed to but not disclosed" }),
      },
      { description: "For a disclosure document (docs/disclosure-v1.md) whose disclosures all hold: the fields shown and how many stayed hidden" },
    ),
  ),
});
const JsonBody = Type.Object(
  {
    receipt: Type.Unknown({ description: "A tracemark.receipt.v1 document, or a tracemark.disclosure.v1 document (docs/disclosure-v1.md; then no `content`)" }),
    content: Type.Optional(Type.String({ contentEncoding: "base64", description: "The original content, base64, to check contentHash" })),
  },
  { additionalProperties: false },
);

/** The envelope's media type, read without trusting the receipt's shape. */
function mediaTypeOf(receipt: unknown): string | undefined {
  const envelope = (receipt as { record?: { envelope?: { mediaType?: unknown } } } | null)?.record?.envelope;
  return typeof envelope?.mediaType === "string" ? envelope.mediaType : undefined;
}

function decodeBase64(text: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw invalid("body.content", "is not base64");
  return Buffer.from(text, "base64");
}

const verifyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(rateLimit, {
    max: app.config.PUBLIC_RATE_LIMIT,
    timeWindow: 60_000,
    errorResponseBuilder: (request, context) => new AppError("RATE_LIMITED", `too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  // Receipts are checked against exactly this service's contract (its trust document).
  const trust = serviceTrust(app.chain).anchors;
  const uploadMax = app.config.VERIFY_UPLOAD_MAX_BYTES;
  // Three parts at most: receipt, content, and a duplicate to name in the 400.
  await app.register(multipart, {
    limits: { fileSize: uploadMax, fieldSize: PUBLIC_JSON_MAX_BYTES, files: 2, fields: 2, parts: 3, headerPairs: 20, fieldNameSize: 100 },
    throwFileSizeLimit: false,
  });
  const slots = inFlightLimit(app.config.VERIFY_CONCURRENCY, "verifications");
  // A receipt is verified, never stored: a NUL in it is the format step's business, not a 400.
  const config = { access: "public" as const, notStoredAsText: ["body.receipt"] };

  const describeSteps =
    "Each step gets a verdict: envelope → recordHash, content → contentHash, leafHash, audit path → root, " +
    "the root on chain with the same tree size, and the block time read from the chain. No API key; rate-limited.";

  app.post(
    "/v1/verify",
    {
      bodyLimit: PUBLIC_JSON_MAX_BYTES,
      onRequest: slots.hook,
      config,
      schema: {
        tags: ["verify"],
        summary: "Verify a receipt, and optionally its content (base64), against the chain",
        consumes: ["application/json"],
        description: `${describeSteps} The JSON body is at most ${PUBLIC_JSON_MAX_BYTES} bytes, base64 content included: send larger content as a form to POST /v1/verify/upload.`,
        body: JsonBody,
        response: { 200: ReportOut, 400: ErrorBody, 408: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { content, receipt } = request.body;
      if (looksLikeDisclosure(receipt)) {
        if (content !== undefined) throw invalid("body.content", "must be absent for a disclosure document: it carries its own committed payload");
        return verifyDisclosure(receipt, { provider: app.chain.provider, trust });
      }
      return verifyReceipt(request.body.receipt, { provider: app.chain.provider, trust, ...(content === undefined ? {} : { content: decodeBase64(content) }) });
    },
  );

  app.post(
    "/v1/verify/upload",
    {
      onRequest: slots.hook,
      config,
      schema: {
        tags: ["verify"],
        summary: "Verify a receipt and an uploaded file (multipart/form-data: `receipt`, `content`)",
        description:
          `${describeSteps} The form's fields: \`receipt\` (a file or a field, at most ${PUBLIC_JSON_MAX_BYTES} bytes) and \`content\` ` +
          `(a file, at most ${uploadMax} bytes, hashed as it arrives). JSON content over ${PUBLIC_JSON_MAX_BYTES} bytes is compared by its raw bytes only.`,
        consumes: ["multipart/form-data"],
        response: { 200: ReportOut, 400: ErrorBody, 408: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { receipt, content } = await readVerifyForm(request, { jsonMax: PUBLIC_JSON_MAX_BYTES, uploadMax });
      const given = content === undefined ? {} : content.whole ? { content: content.whole } : { contentSha256: content.sha256 };
      const report = await verifyReceipt(receipt, { provider: app.chain.provider, trust, ...given });
      const mediaType = mediaTypeOf(receipt);
      const contentStep = report.steps.find((s) => s.step === "contentHash");
      if ("contentSha256" in given && contentStep?.ok === false && mediaType !== undefined && isJsonMediaType(mediaType)) {
        throw new AppError(
          "PAYLOAD_TOO_LARGE",
          `body.content is JSON (${mediaType}) over ${PUBLIC_JSON_MAX_BYTES} bytes whose raw bytes do not hash to envelope.contentHash; ` +
            "its RFC 8785 canonical form is not computed here: send the canonical bytes, or run `tracemark verify --content` locally",
          { field: "body.content" },
        );
      }
      return report;
    },
  );
};

export default verifyRoutes;
