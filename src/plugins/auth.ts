import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import fp from "fastify-plugin";
import { principalForToken, type Principal } from "../auth/api-keys.ts";
import type { Role } from "../db/api-keys.table.ts";
import { AppError } from "../errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** An onRequest hook that admits only keys with one of `roles` (401 without a key, 403 otherwise). */
    requireRole(...roles: Role[]): onRequestHookHandler;
  }
}

/** `Authorization: Bearer <token>` or `X-API-Key: <token>`. */
function presentedToken(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (auth) return /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? null;
  const key = request.headers["x-api-key"];
  return typeof key === "string" ? key : null;
}

async function authPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest("principal", null);
  app.decorate("requireRole", (...roles: Role[]) => {
    return async (request: FastifyRequest, _reply: FastifyReply) => {
      const token = presentedToken(request);
      if (!token) throw new AppError("UNAUTHENTICATED", "an API key is required (Authorization: Bearer <key>)", { field: "headers.authorization" });
      const principal = await principalForToken(app.db, token);
      if (!principal) throw new AppError("UNAUTHENTICATED", "the API key is unknown or revoked", { field: "headers.authorization" });
      if (!roles.includes(principal.role)) {
        throw new AppError("FORBIDDEN", `this call needs the role ${roles.join(" or ")}; the key has the role ${principal.role}`);
      }
      request.principal = principal;
    };
  });
}

export default fp(authPlugin, { name: "tracemark-auth", dependencies: ["tracemark-context"] });
