// Response headers for a service that hands out keys and salts and is read from browsers:
// - Helmet's defaults on every response (nosniff, frame-ancestors, referrer policy, …). The CSP
//   allows only same-origin scripts, which is all Swagger UI at /docs needs (its index.html has no
//   inline script); `upgrade-insecure-requests` is dropped because the service is also served over
//   plain HTTP on loopback, where upgrading /docs' assets to https would break the page.
// - `Cache-Control: no-store` unless a route sets its own: key issuance, receipts (salts) and
//   record views must never sit in a browser or proxy cache, and a new route is safe by default.
// - CORS open to any origin, without credentials, on the public routes only (verification,
//   health, /.well-known/*): a keyed route is never readable cross-origin.
import cors from "@fastify/cors";
import helmet, { type HelmetOptions } from "helmet";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";

const PUBLIC_PATHS = new Set(["/v1/verify", "/v1/verify/upload", "/healthz", "/readyz", "/v1/qr", "/rpc"]);
const PUBLIC_PREFIXES = ["/.well-known/"];
/** The GS1 resolver's Digital Link paths (src/routes/resolver.ts): Resolver 1.2 "SHALL support CORS". */
const RESOLVER_PREFIX = "/01/";

/** Whether any origin may read this path's responses: the routes that need no key. */
export function isPublicPath(url: string): boolean {
  const path = url.split("?", 1)[0]!;
  return PUBLIC_PATHS.has(path) || PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix)) || path.startsWith(RESOLVER_PREFIX);
}

const HELMET_OPTIONS: HelmetOptions = { contentSecurityPolicy: { directives: { "upgrade-insecure-requests": null } } };

/**
 * The headers Helmet sets, computed once: none of them depends on the request (no CSP nonces).
 * @fastify/helmet would build Helmet's middleware anew for every request, parsing the CSP
 * directives each time; on a hot route that is a measurable share of the server's CPU.
 */
export function helmetHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as never, recorder as never, () => {});
  return headers;
}

async function securityHeadersPlugin(app: FastifyInstance): Promise<void> {
  const headers = helmetHeaders();
  const keys = Object.keys(headers);
  // Hooks run on every request: synchronous ones (no promise, no extra turn), and as few as can be.
  app.addHook("onRequest", (request, reply, done) => {
    for (const key of keys) reply.header(key, headers[key]);
    // Helmet's same-origin resource policy would stop a page elsewhere embedding what CORS allows.
    if (isPublicPath(request.url)) reply.header("cross-origin-resource-policy", "cross-origin");
    done();
  });
  const open = {
    origin: "*",
    methods: ["GET", "HEAD", "POST"],
    allowedHeaders: ["content-type"],
    maxAge: 600,
    // A preflight without Origin is answered like any other OPTIONS, not with a bare-text 400.
    strictPreflight: false,
  };
  // @fastify/cors answers preflights on its own `OPTIONS *` route, which must declare its access
  // like every route (src/plugins/auth.ts): public, since it hands out no data, only CORS headers.
  app.addHook("onRoute", (route) => {
    if (route.method === "OPTIONS" && route.url === "*" && route.config?.access === undefined) route.config = { ...route.config, access: "public" };
  });
  // A page elsewhere reads where a scan leads and the linkset's address, so those headers are exposed.
  const resolver = { ...open, methods: ["GET", "HEAD", "OPTIONS"], exposedHeaders: ["link", "location", "vary"] };
  await app.register(cors, {
    delegator: (request: FastifyRequest, callback) =>
      callback(null, request.url.startsWith(RESOLVER_PREFIX) ? resolver : isPublicPath(request.url) ? open : { origin: false }),
  });
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    done(null, payload);
  });
}

export default fp(securityHeadersPlugin, { name: "tracemark-security-headers" });
