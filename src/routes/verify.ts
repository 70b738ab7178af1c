import multipart from "@fastify/multipart";
import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { AppError, invalid } from "../errors.ts";
import { serviceTrust } from "../chain/trust.ts";
import { ErrorBody } from "../schemas/common.ts";
import { verifyReceipt } from "../verifier/index.ts";
import { TrustAnchorSchema } from "../verifier/trust.ts";

const MAX_CONTENT_BYTES = 100 * 1024 * 1024;

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
});
const JsonBody = Type.Object(
  {
    receipt: Type.Unknown({ description: "A tracemark.receipt.v1 document" }),
    content: Type.Optional(Type.String({ contentEncoding: "base64", description: "The original content, base64, to check contentHash" })),
  },
  { additionalProperties: false },
);

/** { receipt, content } from a multipart form: `receipt` as a file or a field, `content` as a file. */
async function fromMultipart(request: FastifyRequest): Promise<{ receipt: unknown; content?: Buffer }> {
  let receiptText: string | undefined;
  let content: Buffer | undefined;
  for await (const part of request.parts()) {
    if (part.fieldname === "receipt") {
      receiptText = part.type === "file" ? (await part.toBuffer()).toString("utf8") : String(part.value);
    } else if (part.fieldname === "content") {
      content = part.type === "file" ? await part.toBuffer() : Buffer.from(String(part.value), "utf8");
    } else {
      throw invalid(`body.${part.fieldname}`, "is not a field of this form (receipt, content)");
    }
  }
  if (receiptText === undefined) throw invalid("body.receipt", "is required");
  try {
    return { receipt: JSON.parse(receiptText) as unknown, ...(content ? { content } : {}) };
  } catch {
    throw invalid("body.receipt", "is not JSON");
  }
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
  await app.register(multipart, { limits: { fileSize: MAX_CONTENT_BYTES, files: 2, fields: 4 }, throwFileSizeLimit: true });

  const describeSteps =
    "Each step gets a verdict: envelope → recordHash, content → contentHash, leafHash, audit path → root, " +
    "the root on chain with the same tree size, and the block time read from the chain. No API key; rate-limited.";

  app.post(
    "/v1/verify",
    {
      config: { access: "public" },
      bodyLimit: Math.ceil(MAX_CONTENT_BYTES * 1.4),
      schema: {
        tags: ["verify"],
        summary: "Verify a receipt, and optionally its content (base64), against the chain",
        description: describeSteps,
        body: JsonBody,
        response: { 200: ReportOut, 400: ErrorBody, 413: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      const { content } = request.body;
      return verifyReceipt(request.body.receipt, { provider: app.chain.provider, trust, ...(content === undefined ? {} : { content: decodeBase64(content) }) });
    },
  );

  app.post(
    "/v1/verify/upload",
    {
      config: { access: "public" },
      schema: {
        tags: ["verify"],
        summary: "Verify a receipt and an uploaded file (multipart/form-data: `receipt`, `content`)",
        description: describeSteps,
        consumes: ["multipart/form-data"],
        response: { 200: ReportOut, 400: ErrorBody, 413: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      if (!request.isMultipart()) throw new AppError("VALIDATION_FAILED", "send multipart/form-data with a receipt and a content file", { field: "headers.content-type" });
      const { receipt, content } = await fromMultipart(request);
      return verifyReceipt(receipt, { provider: app.chain.provider, trust, ...(content ? { content } : {}) });
    },
  );
};

export default verifyRoutes;
