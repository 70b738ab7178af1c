import { fastifyCookie } from "@fastify/cookie";
import type { FastifyInstance, FastifyRequest, onRouteHookHandler, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import { cachePrincipals, principalForToken, type Principal } from "../auth/api-keys.ts";
import type { Role } from "../db/api-keys.table.ts";
import { AppError } from "../errors.ts";

/**
 * Who may call a route. Every route declares it (`config: { access }`), and this plugin enforces
 * it for every route, so what a route says is what it does; docs/authorization.md is the table
 * of all of them, written and checked by test/plugins/authorization-matrix.test.ts.
 * - "public": no key is asked for (one that is sent is not even looked at).
 * - `roles`: a live key with one of these roles; no key, or an unknown or revoked one, is a 401,
 *   another role a 403.
 * - `ownedOnly`: the roles among `roles` that reach only what they own (a merchant, its records):
 *   the route answers anything else 404, exactly as if it did not exist (issue 6).
 * - `session`: a page a browser signs in to (the cases pages): the key is read from the session
 *   cookie it names, set by the page's sign-in form, never from a header; without a live key of one
 *   of `roles` there, the page redirects to `signIn` (303) instead of answering 401 or 403 in JSON.
 */
export type Access = "public" | { roles: readonly Role[]; ownedOnly?: readonly Role[]; session?: PageSession };

export interface PageSession {
  /** The cookie that holds the signed-in key. */
  cookie: string;
  /** The sign-in page a request without a session is sent to. */
  signIn: string;
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every route with the access it declared, in registration order; filled in when the app is ready. */
    readonly routeAccess: readonly RouteAccess[];
  }
}

const HOW_TO_DECLARE =
  'add `config: { access: "public" }` or `config: { access: { roles: [...] } }` to the route, or ' +
  '`app.addHook("onRoute", declareAccess(...))` to its plugin (src/plugins/auth.ts)';

/**
 * Declares one access for every route of a plugin that does not declare its own: the admin API,
 * or a third-party plugin's routes (the OpenAPI UI). Add it with `app.addHook("onRoute", …)`
 * inside the plugin (or a wrapper around a third-party one) so that it reaches only those routes.
 */
export function declareAccess(access: Access): onRouteHookHandler {
  return (route) => {
    if (route.config?.access === undefined) route.config = { ...route.config, access };
  };
}

/**
 * The principal of a page session: the live key in the session's cookie, if its role is one of
 * `roles`; null otherwise. The rule every `session` route is held to, and the one a public page
 * (signing out) asks when it needs to know whether a session is live.
 */
export async function sessionPrincipal(db: FastifyInstance["db"], request: FastifyRequest, session: PageSession, roles: readonly Role[]): Promise<Principal | null> {
  // The cookie plugin parses cookies in a later hook than this plugin's: read this one here.
  const token = fastifyCookie.parse(request.headers.cookie ?? "")[session.cookie];
  const principal = token ? await principalForToken(db, token) : null;
  return principal && roles.includes(principal.role) ? principal : null;
}

/** Enough for every live key of a large deployment; past it the oldest entries are looked up again. */
const MAX_CACHED_KEYS = 10_000;

/** `Authorization: Bearer <token>` or `X-API-Key: <token>`. */
function presentedToken(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (auth) return /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? null;
  const key = request.headers["x-api-key"];
  return typeof key === "string" ? key : null;
}

async function authPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest("principal", null);
  // Revocation reaches this process at once and every replica within KEY_CACHE_MS (src/auth/principal-cache.ts).
  cachePrincipals(app.db, { ttlMs: app.config.KEY_CACHE_MS, maxEntries: MAX_CACHED_KEYS });

  // A route's method and URL are read when it is registered (Fastify goes on to reuse the options
  // object for the URL's trailing-slash twin); its access once the app is ready, because a plugin's
  // own declareAccess hook runs after this one (a child plugin's hooks come after its parent's),
  // on the same options object.
  const routes: Array<{ method: string; url: string; options: RouteOptions }> = [];
  const declared: RouteAccess[] = [];
  app.decorate("routeAccess", declared);
  app.addHook("onRoute", (options) => {
    for (const method of [options.method].flat()) routes.push({ method, url: options.url, options });
  });
  app.addHook("onReady", async () => {
    const undeclared = routes.filter((r) => r.options.config?.access === undefined).map((r) => `${r.method} ${r.url}`);
    if (undeclared.length > 0) throw new Error(`routes without a declared access: ${undeclared.join("; ")}. ${HOW_TO_DECLARE}`);
    declared.length = 0;
    for (const r of routes) declared.push({ method: r.method, url: r.url, access: r.options.config!.access! });
  });

  app.addHook("onRequest", async (request, reply) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === "public") return;
    // The app does not become ready with an undeclared route; should one get here anyway, refuse it.
    if (access === undefined) throw new Error(`${request.method} ${request.routeOptions.url} declares no access`);
    if (access.session) {
      const principal = await sessionPrincipal(app.db, request, access.session, access.roles);
      if (!principal) return reply.redirect(access.session.signIn, 303);
      request.principal = principal;
      return;
    }
    const token = presentedToken(request);
    if (!token) throw new AppError("UNAUTHENTICATED", "an API key is required (Authorization: Bearer <key>)", { field: "headers.authorization" });
    const principal = await principalForToken(app.db, token);
    if (!principal) throw new AppError("UNAUTHENTICATED", "the API key is unknown or revoked", { field: "headers.authorization" });
    if (!access.roles.includes(principal.role)) {
      throw new AppError("FORBIDDEN", `this call needs the role ${access.roles.join(" or ")}; the key has the role ${principal.role}`);
    }
    request.principal = principal;
  });
}

export default fp(authPlugin, { name: "tracemark-auth", dependencies: ["tracemark-context"] });
