// The consumer's part of the API (issue 9), wired in one place: `app.scans` (scan counting, clone
// warnings, claims) for every route and page, the claim route, public notarization, and the pages
// (notarize, receipt, check, the scan page's clone panel and claim form).
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import scansPlugin from "../scans/plugin.ts";
import { scanPanelData } from "../scans/page-data.ts";
import claimsRoutes from "./claims.ts";
import consumerPages from "./consumer-pages.ts";
import publicRecordsRoutes from "./public-records.ts";

async function consumerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(scansPlugin);
  await app.register(claimsRoutes);
  await app.register(publicRecordsRoutes);
  // The scan page's clone panel and claim form (src/pages/README.md "extension points").
  app.scanPageData.push(async (view, request) => ({ ...(await scanPanelData(app, view, request)) }));
  await app.register(consumerPages);
}

export default fp(consumerRoutes, { name: "tracemark-consumer", dependencies: ["tracemark-context", "tracemark-auth", "tracemark-pages"] });
