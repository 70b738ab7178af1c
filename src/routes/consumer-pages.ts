// The consumer's pages (issue 9): notarize your own evidence (/notarize), its receipt page
// (/r/{id}), check a file (/check), and the scan page's claim form (POST /claim, a plain form that
// works without JavaScript). Templates in src/pages/templates/, strings in the catalogues.
import formbody from "@fastify/formbody";
import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { serviceTrust } from "../chain/trust.ts";
import { AppError } from "../errors.ts";
import { messagesWithPrefix } from "../pages/locale.ts";
import { formatTime, PAGE_TIME_ZONE } from "../pages/dates.ts";
import { findPublicRecord } from "../public/records.ts";
import { RetryLater } from "../scans/claims.ts";
import type { ClaimResult } from "../scans/page-data.ts";
import { ErrorBody } from "../schemas/common.ts";
import { PublicRecordIdParams } from "../schemas/public.ts";

/** The pages that hash files in the browser: hash-wasm compiles WebAssembly, which CSP allows only with 'wasm-unsafe-eval' (no JS eval). */
const WASM_PAGES = new Set(["/notarize", "/check"]);

const consumerPages: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(formbody, { bodyLimit: 4 * 1024 });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new AppError("RATE_LIMITED", `too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  const trust = serviceTrust(app.chain);
  const perClient = { rateLimit: { max: app.config.PUBLIC_RATE_LIMIT, timeWindow: 60_000 } };

  app.addHook("onSend", async (request, reply, payload) => {
    const csp = reply.getHeader("content-security-policy");
    if (typeof csp === "string" && WASM_PAGES.has(request.routeOptions.url ?? "")) {
      reply.header("content-security-policy", csp.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"));
    }
    return payload;
  });

  app.get("/notarize", { config: { access: "public" }, schema: { hide: true } }, async (_request, reply) =>
    reply.page("notarize", ({ locale }) => ({ messages: messagesWithPrefix(locale, "notarize.") })),
  );

  app.get("/check", { config: { access: "public" }, schema: { hide: true } }, async (_request, reply) =>
    reply.page("check", ({ locale }) => ({ trust, timeZone: PAGE_TIME_ZONE, messages: messagesWithPrefix(locale, "check.") })),
  );

  app.get(
    "/r/:publicRecordId",
    { config: { access: "public", ...perClient }, schema: { hide: true, params: PublicRecordIdParams } },
    async (request, reply) => {
      let record;
      try {
        record = await findPublicRecord(app.db, request.params.publicRecordId);
      } catch (error) {
        // A browser gets a page that says so; anything else the API's error shape.
        const browser = /text\/html/.test(request.headers.accept ?? "");
        if (browser && error instanceof AppError && error.code === "NOT_FOUND") return (reply as FastifyReply).status(404).page("receipt-missing");
        throw error;
      }
      return reply.page("receipt", ({ t, locale }) => ({
        record,
        trust,
        // The browser's times are said in the page's zone too, so that they agree with the server's.
        timeZone: PAGE_TIME_ZONE,
        statusText: t(`receipt.status.${record.status}`),
        acceptedText: formatTime(record.acceptedAt, locale),
        // The receipt script names a failed step as the check page does.
        messages: { ...messagesWithPrefix(locale, "receipt."), ...messagesWithPrefix(locale, "check.") },
      }));
    },
  );

  app.get(
    "/r/:publicRecordId/receipt.json",
    {
      config: { access: "public", ...perClient },
      schema: { hide: true, params: PublicRecordIdParams, response: { 400: ErrorBody, 404: ErrorBody, 429: ErrorBody } },
    },
    async (request, typedReply) => {
      const reply = typedReply as unknown as FastifyReply;
      const record = await findPublicRecord(app.db, request.params.publicRecordId);
      return reply
        .header("content-disposition", `attachment; filename="tracemark-receipt-${record.id}.json"`)
        .header("cache-control", "no-cache")
        .type("application/json; charset=utf-8")
        .send(`${JSON.stringify(record.receipt, null, 2)}\n`);
    },
  );

  app.post(
    "/claim",
    {
      config: { access: "public", ...perClient },
      schema: {
        hide: true,
        consumes: ["application/x-www-form-urlencoded"],
        body: Type.Object({ uri: Type.String({ minLength: 1, maxLength: 2048 }), pin: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 400: ErrorBody, 415: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      // Back to the item's scan page, by path only: never to a host the form names.
      const back = scanPagePath(request.body.uri);
      if (back === null) throw new AppError("VALIDATION_FAILED", "body.uri is not a serialised item's GS1 Digital Link URI", { field: "body.uri" });
      let result: ClaimResult = "done";
      let retry = 0;
      try {
        await app.scans.claim(request, request.body);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        result = error.code === "CONFLICT" ? "taken" : error.code === "RATE_LIMITED" ? "limited" : error.field === "body.pin" ? "wrong" : "invalid";
        if (error instanceof RetryLater) retry = error.retryAfterSeconds;
      }
      // 303: the browser GETs the scan page, which shows the outcome and the item's new state.
      return reply.redirect(`${back}?claim=${result}${retry > 0 ? `&retry=${retry}` : ""}#claim`, 303);
    },
  );
};

/** "/01/09520123456788/21/ABC" from an item's Digital Link URI, or null. */
export function scanPagePath(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  return /^\/01\/\d{14}\/21\/[^/?#]+$/.test(url.pathname) ? url.pathname : null;
}

export default consumerPages;
