import multipart from "@fastify/multipart";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { findReadableFile, notarizeUpload } from "../evidence/files.ts";
import { notFound } from "../errors.ts";
import type { Access } from "../plugins/auth.ts";
import { acceptedReceipt } from "../records/receipts.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { Sha256Params, UploadedFileOut } from "../schemas/evidence.ts";
import { readFileForm } from "./evidence-files-form.ts";
import { parseRange } from "./range.ts";

// DESIGN.md "Visibility": an uploaded file is private to its merchant, mediators and the operator.
const uploaders: Access = { roles: ["merchant"] };
const readers: Access = { roles: ["merchant", "mediator", "admin"], ownedOnly: ["merchant"] };

const evidenceFilesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const maxBytes = app.config.EVIDENCE_MAX_BYTES;
  // busboy cuts the file at maxBytes and marks it truncated (src/routes/evidence-files-form.ts);
  // a second part is there to be named in the 400.
  await app.register(multipart, {
    limits: { fileSize: maxBytes, fieldSize: 1024, files: 2, fields: 1, parts: 2, headerPairs: 20, fieldNameSize: 100 },
    throwFileSizeLimit: false,
  });

  app.post(
    "/v1/evidence/files",
    {
      config: { access: uploaders },
      schema: {
        tags: ["evidence"],
        summary: "Upload an evidence file (multipart/form-data: `file`)",
        description:
          `Streams the file into the evidence store, hashing it (SHA-256) as it arrives; at most ${maxBytes} bytes (413 past it, field body.file). ` +
          "Each upload is notarized as a private `evidence.file` record whose contentHash is the SHA-256 of the raw bytes (what sha256sum prints), " +
          "with the file's name, media type and size; the same bytes uploaded twice are stored once.",
        security: [{ apiKey: [] }],
        consumes: ["multipart/form-data"],
        response: { 201: UploadedFileOut, 400: ErrorBody, 408: ErrorBody, 413: ErrorBody, 415: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const form = await readFileForm(request, app.blobs, maxBytes);
      const uploaded = await notarizeUpload(app.db, request.principal!, form);
      return reply.status(201).send({
        file: uploaded.file,
        record: { id: uploaded.record.id, status: "accepted" as const, receipt: acceptedReceipt(uploaded.record) },
        stored: uploaded.storedNow ? ("new" as const) : ("deduplicated" as const),
      });
    },
  );

  app.get(
    "/v1/evidence/files/:sha256",
    {
      config: { access: readers },
      schema: {
        tags: ["evidence"],
        summary: "Download an evidence file by its SHA-256",
        description:
          "Streams the bytes with `Content-Digest: sha-256=:…:` (RFC 9530; on a whole-file answer), `Repr-Digest` (always) and the strong ETag `\"<sha256>\"`. " +
          "One byte range (`Range: bytes=…`) is answered 206. A file uploaded by another merchant is a 404, as if it did not exist.",
        security: [{ apiKey: [] }],
        params: Sha256Params,
        response: { 200: Type.Unknown({ description: "the file's bytes, streamed" }), 206: Type.Unknown({ description: "the range's bytes" }), 304: Type.Null(), 404: ErrorBody, 416: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const { sha256 } = request.params;
      const file = await findReadableFile(app.db, request.principal!, sha256);
      const size = file ? await app.blobs.size(sha256) : null;
      if (!file || size === null) throw notFound("file", "params.sha256");
      const etag = `"${sha256}"`;
      const digest = `sha-256=:${Buffer.from(sha256, "hex").toString("base64")}:`;
      reply
        .header("etag", etag)
        .header("repr-digest", digest)
        .header("accept-ranges", "bytes")
        .header("cache-control", "private, no-cache")
        .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
        // An upload is never rendered by a browser on this origin, whatever its media type.
        .header("content-security-policy", "sandbox; default-src 'none'");
      const ifNoneMatch = request.headers["if-none-match"];
      if (typeof ifNoneMatch === "string" && ifNoneMatch.split(",").some((t) => t.trim() === etag || t.trim() === "*")) return reply.status(304).send(null);
      const range = parseRange(request.headers.range, size);
      if (range === "unsatisfiable") {
        return reply.status(416).header("content-range", `bytes */${size}`).send({ error: { code: "RANGE_NOT_SATISFIABLE", message: `headers.range is outside the file's ${size} bytes`, field: "headers.range" } });
      }
      const stream = await app.blobs.open(sha256, range ?? undefined);
      if (!stream) throw notFound("file", "params.sha256");
      reply.header("content-type", file.mediaType);
      if (range) {
        return reply
          .status(206)
          .header("content-range", `bytes ${range.start}-${range.end}/${size}`)
          .header("content-length", range.end - range.start + 1)
          .send(stream);
      }
      return reply.header("content-digest", digest).header("content-length", size).send(stream);
    },
  );
};

export default evidenceFilesRoutes;
