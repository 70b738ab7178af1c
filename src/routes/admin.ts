import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { issueApiKey, revokeApiKey } from "../auth/api-keys.ts";
import { AppError, notFound } from "../errors.ts";
import { createMerchant, findMerchant } from "../merchants/merchants.ts";
import { declareAccess } from "../plugins/auth.ts";
import { CreateKeyBody, CreateMerchantBody, IssuedKeyOut, MerchantOut } from "../schemas/admin.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook("onRoute", declareAccess({ roles: ["admin"] }));

  app.post(
    "/v1/admin/merchants",
    {
      schema: {
        tags: ["admin"],
        summary: "Create a merchant",
        security: [{ apiKey: [] }],
        body: CreateMerchantBody,
        response: { 201: MerchantOut, 400: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => reply.status(201).send(await createMerchant(app.db, request.body.name)),
  );

  app.post(
    "/v1/admin/keys",
    {
      schema: {
        tags: ["admin"],
        summary: "Issue an API key (the token is shown once)",
        security: [{ apiKey: [] }],
        body: CreateKeyBody,
        response: { 201: IssuedKeyOut, 400: ErrorBody, 404: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const { role, merchantId, label } = request.body;
      if (role === "merchant" && !merchantId) throw new AppError("VALIDATION_FAILED", "body.merchantId is required for a merchant key", { field: "body.merchantId" });
      if (role !== "merchant" && merchantId) throw new AppError("VALIDATION_FAILED", `body.merchantId is only for merchant keys, not ${role}`, { field: "body.merchantId" });
      if (merchantId && !(await findMerchant(app.db, merchantId))) throw notFound("merchant", "body.merchantId");
      const key = await issueApiKey(app.db, { role, merchantId: merchantId ?? null, label: label ?? "" });
      request.log.info({ keyId: key.keyId, role }, "API key issued");
      return reply.status(201).send(key);
    },
  );

  app.delete(
    "/v1/admin/keys/:keyId",
    {
      schema: {
        tags: ["admin"],
        summary: "Revoke an API key (never the last active admin key)",
        security: [{ apiKey: [] }],
        params: Type.Object({ keyId: Type.String({ pattern: "^[0-9a-f]{12}$" }) }),
        response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const outcome = await revokeApiKey(app.db, request.params.keyId);
      if (outcome === "not-found") throw notFound("active API key", "params.keyId");
      if (outcome === "last-admin") {
        throw new AppError("CONFLICT", "params.keyId is the last active admin key: issue another admin key before revoking this one", { field: "params.keyId" });
      }
      request.log.info({ keyId: request.params.keyId }, "API key revoked");
      return reply.status(204).send(null);
    },
  );
};

export default adminRoutes;
