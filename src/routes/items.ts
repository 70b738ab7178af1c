import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { publicBaseUrl } from "../config.ts";
import { jobView } from "../jobs/jobs.ts";
import { readScopeOf } from "../records/submitter.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { JobView } from "../schemas/jobs.ts";
import { CreateItemsBody, ItemView, LotParams, SerialParams } from "../schemas/trace.ts";
import { getItem, startItemsJob } from "../trace/items.ts";
import { pinKeyOf } from "../trace/pins.ts";
import { traceReaders, traceWriters } from "./products.ts";

const itemsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const pinKey = pinKeyOf(app.config, app.database.kind);
  if (pinKey === null) app.log.warn("PIN_HMAC_KEY is not set: item jobs that ask for scratch PINs are refused until it is");
  else if (pinKey.perProcess) app.log.warn("PIN_HMAC_KEY is not set: scratch PINs are keyed for this process only, and cannot be checked after a restart");
  const ctx = { db: app.db, jobs: app.jobs, base: publicBaseUrl(app.config), pinKey };

  app.post(
    "/v1/products/:gtin/lots/:lot/items",
    {
      config: { access: traceWriters },
      schema: {
        tags: ["trace"],
        summary: "Generate serialised items for a lot (a background job)",
        description:
          "Up to 100,000 items, each with a random serial (AI 21; 12 characters of 62 ≈ 71.5 bits by default) and its own public record on {PUBLIC_BASE_URL}/01/{gtin14}/21/{serial}. " +
          "Answers 202 with the job; GET its `links.self` for progress, and `links.items` for the serials (and, once, the PINs).",
        security: [{ apiKey: [] }],
        params: LotParams,
        body: CreateItemsBody,
        response: { 202: JobView, 400: ErrorBody, 404: ErrorBody, 422: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const job = await startItemsJob(ctx, request.principal!, request.params.gtin, request.params.lot, request.body);
      return reply.status(202).header("location", `/v1/jobs/${job.id}`).send(jobView(job, job.secret_result ? "pending" : "none"));
    },
  );

  app.get(
    "/v1/products/:gtin/items/:serial",
    {
      config: { access: traceReaders },
      schema: { tags: ["trace"], summary: "A serialised item and its records", security: [{ apiKey: [] }], params: SerialParams, response: { 200: ItemView, 400: ErrorBody, 404: ErrorBody, ...authErrors } },
    },
    async (request) => getItem(app.db, readScopeOf(request.principal!), request.params.gtin, request.params.serial),
  );
};

export default itemsRoutes;
