import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { notFound } from "../errors.ts";
import { findMerchant } from "../merchants/merchants.ts";
import { authErrors, ErrorBody, Uuid } from "../schemas/common.ts";
import { assignPrefix, listPrefixes } from "../trace/prefixes.ts";

const Prefix = Type.Object({ prefix: Type.String(), merchantId: Uuid, createdAt: Type.String({ format: "date-time" }) });
const Prefixes = Type.Object({ prefixes: Type.Array(Prefix) });
const MerchantParams = Type.Object({ merchantId: Uuid });

const prefixesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/v1/admin/merchants/:merchantId/prefixes",
    {
      config: { access: { roles: ["admin"] } },
      schema: {
        tags: ["admin"],
        summary: "Assign a GS1 Company Prefix to a merchant",
        description: "4–12 digits. A prefix that equals, contains or falls under an assigned one is a 409 (GS1 General Specifications §1.4.4). A GTIN-8 is assigned as 00000 and its first seven digits.",
        security: [{ apiKey: [] }],
        params: MerchantParams,
        body: Type.Object({ prefix: Type.String({ pattern: "^[0-9]{4,12}$", description: "GS1 Company Prefix" }) }, { additionalProperties: false }),
        response: { 201: Prefix, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => reply.status(201).send(await assignPrefix(app.db, request.params.merchantId, request.body.prefix)),
  );

  app.get(
    "/v1/admin/merchants/:merchantId/prefixes",
    {
      config: { access: { roles: ["admin"] } },
      schema: { tags: ["admin"], summary: "A merchant's GS1 Company Prefixes", security: [{ apiKey: [] }], params: MerchantParams, response: { 200: Prefixes, 404: ErrorBody, ...authErrors } },
    },
    async (request) => {
      if (!(await findMerchant(app.db, request.params.merchantId))) throw notFound("merchant", "params.merchantId");
      return { prefixes: await listPrefixes(app.db, request.params.merchantId) };
    },
  );

  app.get(
    "/v1/merchant/prefixes",
    {
      config: { access: { roles: ["merchant"] } },
      schema: { tags: ["trace"], summary: "The GS1 Company Prefixes this merchant registers GTINs under", security: [{ apiKey: [] }], response: { 200: Prefixes, ...authErrors } },
    },
    async (request) => ({ prefixes: await listPrefixes(app.db, request.principal!.merchantId!) }),
  );
};

export default prefixesRoutes;
