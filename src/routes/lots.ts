import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { publicBaseUrl } from "../config.ts";
import { readScopeOf } from "../records/submitter.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { CreateLotBody, GtinParams, LotParams, LotView, LotWritten, PatchLotBody } from "../schemas/trace.ts";
import { createLot, editLot, getLot } from "../trace/lots.ts";
import { acceptedRecordOf, traceReaders, traceWriters } from "./products.ts";

const lotsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = publicBaseUrl(app.config);

  app.post(
    "/v1/products/:gtin/lots",
    {
      config: { access: traceWriters },
      schema: {
        tags: ["trace"],
        summary: "Register a lot of one of your products",
        description: "Lot number: AI (10), up to 20 characters of GS1 character set 82. Dates as YYMMDD (GS1 AI 11 / 17; DD 00 = last day of the month) or YYYY-MM-DD. Subject: {PUBLIC_BASE_URL}/01/{gtin14}/10/{lot}.",
        security: [{ apiKey: [] }],
        params: GtinParams,
        body: CreateLotBody,
        response: { 201: LotWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const { lot, record } = await createLot(app.db, base, request.principal!, request.params.gtin, request.body);
      return reply.status(201).send({ lot, record: acceptedRecordOf(record) });
    },
  );

  app.get(
    "/v1/products/:gtin/lots/:lot",
    {
      config: { access: traceReaders },
      schema: { tags: ["trace"], summary: "A lot: its current fields and its records", description: "Percent-encode the lot in the path.", security: [{ apiKey: [] }], params: LotParams, response: { 200: LotView, 400: ErrorBody, 404: ErrorBody, ...authErrors } },
    },
    async (request) => getLot(app.db, readScopeOf(request.principal!), request.params.gtin, request.params.lot),
  );

  app.patch(
    "/v1/products/:gtin/lots/:lot",
    {
      config: { access: traceWriters },
      schema: {
        tags: ["trace"],
        summary: "Change a lot",
        description: "A new record on the lot's subject, chained to the previous one (prev), holding the lot's whole new state.",
        security: [{ apiKey: [] }],
        params: LotParams,
        body: PatchLotBody,
        response: { 200: LotWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request) => {
      const { lot, record } = await editLot(app.db, request.principal!, request.params.gtin, request.params.lot, request.body);
      return { lot, record: acceptedRecordOf(record) };
    },
  );
};

export default lotsRoutes;
