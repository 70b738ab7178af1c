import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { PrincipalOut } from "../schemas/admin.ts";
import { authErrors } from "../schemas/common.ts";

const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/v1/me",
    {
      config: { access: { roles: ["admin", "merchant", "mediator"] } },
      schema: { tags: ["auth"], summary: "The key's own identity and role", security: [{ apiKey: [] }], response: { 200: PrincipalOut, ...authErrors } },
    },
    async (request) => {
      const { keyId, role, merchantId } = request.principal!;
      return { keyId, role, merchantId };
    },
  );
};

export default meRoutes;
