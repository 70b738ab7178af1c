// QR codes: one for any registered product, lot or item URI (public), and a lot's labels as a
// streamed ZIP for its owner.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { publicBaseUrl } from "../config.ts";
import { AppError } from "../errors.ts";
import { lotQrZip } from "../qr/lot-zip.ts";
import { takeLotPins, type TakenPins } from "../qr/pins.ts";
import { MEDIA_TYPES, renderQr } from "../qr/render.ts";
import { qrUri } from "../qr/uri.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { LotZipQuery, QrQuery } from "../schemas/qr.ts";
import { LotParams } from "../schemas/trace.ts";
import { gtin14Of, lotOf } from "../trace/gs1-input.ts";
import { findOwnLot } from "../trace/lots.ts";
import { traceWriters } from "./products.ts";

const qrRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = publicBaseUrl(app.config);

  app.get(
    "/v1/qr",
    {
      config: { access: "public" },
      schema: {
        tags: ["qr"],
        summary: "The QR code of a product, lot or item Digital Link URI",
        description:
          "The URI must be a GS1 Digital Link URI on PUBLIC_BASE_URL of something registered here; the code holds its canonical form (GTIN-14, qualifiers in order). " +
          "Error correction M by default (Q on request), a 4-module quiet zone, `size` pixels wide or `module` pixels per module (default 8).",
        querystring: QrQuery,
        response: { 200: Type.Unknown({ description: "image/png or image/svg+xml; the header tracemark-qr-uri holds the encoded URI" }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const { uri, format = "png", ecc = "M", size, module } = request.query;
      if (size !== undefined && module !== undefined) throw new AppError("VALIDATION_FAILED", "query.size and query.module are two ways to give the size: send one", { field: "query.size" });
      const canonical = await qrUri(app.db, base, uri);
      const image = await renderQr(canonical, { format, ecc, ...(size === undefined ? {} : { width: size }), ...(module === undefined ? {} : { modulePx: module }) });
      // Deterministic for a URI, and registered things are never deleted: a long cache is safe.
      return reply.type(MEDIA_TYPES[format]).header("cache-control", "public, max-age=86400").header("tracemark-qr-uri", canonical).send(image);
    },
  );

  app.get(
    "/v1/products/:gtin/lots/:lot/qr.zip",
    {
      config: { access: traceWriters },
      schema: {
        tags: ["qr"],
        summary: "A lot's labels: every item's QR code (SVG) and items.csv, as a streamed ZIP",
        description:
          "qr/{serial}.svg per item and items.csv (serial,uri). With `pins=1`, items.csv also holds each item's scratch PIN: once, since Tracemark keeps only their keyed hashes " +
          "(410 when they were taken already; the header tracemark-pins says included, partial or none).",
        security: [{ apiKey: [] }],
        params: LotParams,
        querystring: LotZipQuery,
        response: { 200: Type.Unknown({ description: "application/zip, streamed" }), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const merchantId = request.principal!.merchantId!;
      const gtin = gtin14Of(request.params.gtin, "params.gtin");
      const lot = lotOf(request.params.lot, "params.lot");
      await findOwnLot(app.db, merchantId, gtin, lot);
      const pins: TakenPins | null = request.query.pins === "1" ? await takeLotPins(app.db, app.jobs, merchantId, gtin, lot) : null;
      const name = `lot-${gtin}-${lot.replace(/[^A-Za-z0-9_.-]/g, "_")}.zip`;
      return reply
        .type("application/zip")
        .header("content-disposition", `attachment; filename="${name}"`)
        .header("cache-control", "no-store")
        .header("tracemark-pins", pins === null ? "none" : pins.partial ? "partial" : "included")
        .send(lotQrZip(app.db, { gtin, lot, ecc: request.query.ecc ?? "M", pins: pins?.byJob ?? null }));
    },
  );
};

export default qrRoutes;
