import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { publicBaseUrl } from "../config.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { RecallBody, RecallWithdrawalBody, RecallWritten } from "../schemas/epcis.ts";
import { recall, withdrawRecall } from "../trace/events/recalls.ts";

const recallsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = { db: app.db, jobs: app.jobs, base: publicBaseUrl(app.config) };

  app.post(
    "/v1/recalls",
    {
      config: { access: { roles: ["merchant"] } },
      schema: {
        tags: ["trace"],
        summary: "Recall one of your products or lots",
        description:
          "Captures an EPCIS 2.0 ObjectEvent with the CBV disposition `recalled` on the product or lot (as an EPC class), carrying the reason and instructions as " +
          "`tracemark:recallReason` and `tracemark:recallInstructions` (namespace https://ns.tracemark.dev/epcis/). Every item under it shows the recall. Another merchant's product or lot is a 404.",
        security: [{ apiKey: [] }],
        body: RecallBody,
        response: { 201: RecallWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => reply.status(201).send(await recall(ctx, request.principal!, request.body)),
  );

  app.post(
    "/v1/recalls/withdrawals",
    {
      config: { access: { roles: ["merchant"] } },
      schema: {
        tags: ["trace"],
        summary: "Withdraw the recall of one of your products or lots",
        description: "Captures a later EPCIS ObjectEvent on the product or lot with disposition `conformant` and `tracemark:recallWithdrawal` (the reason). The recall event stays in every history.",
        security: [{ apiKey: [] }],
        body: RecallWithdrawalBody,
        response: { 201: RecallWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => reply.status(201).send(await withdrawRecall(ctx, request.principal!, request.body)),
  );
};

export default recallsRoutes;
