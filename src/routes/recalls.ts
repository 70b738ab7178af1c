import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { publicBaseUrl } from "../config.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { RecallBody, RecallWithdrawalBody, RecallWritten } from "../schemas/epcis.ts";
import { GtinParams, LotParams } from "../schemas/trace.ts";
import { recall, withdrawRecall } from "../trace/events/recalls.ts";
import { traceWriters } from "./products.ts";

const RECALL_HOW =
  "Captures an EPCIS 2.0 ObjectEvent with the CBV disposition `recalled` on the product or lot (as an EPC class, its Digital Link), carrying the reason and instructions as " +
  "`tracemark:recallReason` and `tracemark:recallInstructions` (namespace https://ns.tracemark.dev/epcis/). Every item under it shows the recall in its history. " +
  "Another merchant's product or lot is a 404.";
const WITHDRAWAL_HOW =
  "Captures a later EPCIS ObjectEvent on the product or lot with disposition `conformant` and `tracemark:recallWithdrawal` (the reason). The recall event stays in every history.";

const recallsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = { db: app.db, jobs: app.jobs, base: publicBaseUrl(app.config) };
  const responses = { 201: RecallWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors };
  const schema = { tags: ["trace"], security: [{ apiKey: [] }], response: responses };

  app.post(
    "/v1/products/:gtin/recalls",
    { config: { access: traceWriters }, schema: { ...schema, summary: "Recall one of your products (every lot and item of it)", description: RECALL_HOW, params: GtinParams, body: RecallBody } },
    async (request, reply) => reply.status(201).send(await recall(ctx, request.principal!, { gtin: request.params.gtin, lot: null }, request.body)),
  );
  app.post(
    "/v1/products/:gtin/recalls/withdrawals",
    { config: { access: traceWriters }, schema: { ...schema, summary: "Withdraw the recall of one of your products", description: WITHDRAWAL_HOW, params: GtinParams, body: RecallWithdrawalBody } },
    async (request, reply) => reply.status(201).send(await withdrawRecall(ctx, request.principal!, { gtin: request.params.gtin, lot: null }, request.body)),
  );
  app.post(
    "/v1/products/:gtin/lots/:lot/recalls",
    { config: { access: traceWriters }, schema: { ...schema, summary: "Recall one of your lots (every item of it)", description: RECALL_HOW, params: LotParams, body: RecallBody } },
    async (request, reply) => reply.status(201).send(await recall(ctx, request.principal!, request.params, request.body)),
  );
  app.post(
    "/v1/products/:gtin/lots/:lot/recalls/withdrawals",
    { config: { access: traceWriters }, schema: { ...schema, summary: "Withdraw the recall of one of your lots", description: WITHDRAWAL_HOW, params: LotParams, body: RecallWithdrawalBody } },
    async (request, reply) => reply.status(201).send(await withdrawRecall(ctx, request.principal!, request.params, request.body)),
  );
};

export default recallsRoutes;
