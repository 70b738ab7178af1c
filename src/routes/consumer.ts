// The consumer's part of the API (issue 9), wired in one place: `app.scans` (scan counting, clone
// warnings, claims) for every route and page, the claim route, and public notarization.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import scansPlugin from "../scans/plugin.ts";
import claimsRoutes from "./claims.ts";
import publicRecordsRoutes from "./public-records.ts";

async function consumerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(scansPlugin);
  await app.register(claimsRoutes);
  await app.register(publicRecordsRoutes);
}

export default fp(consumerRoutes, { name: "tracemark-consumer", dependencies: ["tracemark-context", "tracemark-auth"] });
