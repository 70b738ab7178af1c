import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { publicBaseUrl } from "../config.ts";
import type { Access } from "../plugins/auth.ts";
import { acceptedReceipt } from "../records/receipts.ts";
import { readScopeOf } from "../records/submitter.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { CreateProductBody, GtinParams, PatchProductBody, ProductView, ProductWritten } from "../schemas/trace.ts";
import type { WrittenRecord } from "../trace/domain-write.ts";
import { createProduct, editProduct, getProduct } from "../trace/products.ts";

// Only the owning merchant writes; the owner, mediators and the operator read (public reads come
// through the resolver). Another merchant's product is a 404, as if it did not exist.
export const traceWriters: Access = { roles: ["merchant"], ownedOnly: ["merchant"] };
export const traceReaders: Access = { roles: ["merchant", "mediator", "admin"], ownedOnly: ["merchant"] };

export const acceptedRecordOf = (record: WrittenRecord) => ({ id: record.id, status: "accepted" as const, receipt: acceptedReceipt(record) });

const productsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = publicBaseUrl(app.config);

  app.post(
    "/v1/products",
    {
      config: { access: traceWriters },
      schema: {
        tags: ["trace"],
        summary: "Register a product (a GTIN under one of your GS1 Company Prefixes)",
        description: "Writes the product and its first public record, on the subject {PUBLIC_BASE_URL}/01/{gtin14}, in one transaction.",
        security: [{ apiKey: [] }],
        body: CreateProductBody,
        response: { 201: ProductWritten, 400: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const { product, record } = await createProduct(app.db, base, request.principal!, request.body);
      return reply.status(201).send({ product, record: acceptedRecordOf(record) });
    },
  );

  app.get(
    "/v1/products/:gtin",
    {
      config: { access: traceReaders },
      schema: { tags: ["trace"], summary: "A product: its current fields and its records", security: [{ apiKey: [] }], params: GtinParams, response: { 200: ProductView, 400: ErrorBody, 404: ErrorBody, ...authErrors } },
    },
    async (request) => getProduct(app.db, readScopeOf(request.principal!), request.params.gtin),
  );

  app.patch(
    "/v1/products/:gtin",
    {
      config: { access: traceWriters },
      schema: {
        tags: ["trace"],
        summary: "Change a product",
        description: "A new record on the product's subject, chained to the previous one (prev), holding the product's whole new state. Records are never changed.",
        security: [{ apiKey: [] }],
        params: GtinParams,
        body: PatchProductBody,
        response: { 200: ProductWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request) => {
      const { product, record } = await editProduct(app.db, request.principal!, request.params.gtin, request.body);
      return { product, record: acceptedRecordOf(record) };
    },
  );
};

export default productsRoutes;
