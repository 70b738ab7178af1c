import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { publicBaseUrl } from "../config.ts";
import { addClaim, listClaims } from "../evidence/streams/claims.ts";
import { segmentReport, submitSegments } from "../evidence/streams/segments.ts";
import { endStream, findStream, openStream, streamView } from "../evidence/streams/streams.ts";
import type { Access } from "../plugins/auth.ts";
import { receiptOf, statusOf } from "../records/receipts.ts";
import { findRecords } from "../records/repository.ts";
import { readScopeOf } from "../records/submitter.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { IdempotencyHeaders } from "../schemas/records.ts";
import { ClaimBody, ClaimList, ClaimWritten, EndStreamBody, OpenStreamBody, SegmentReport, SegmentsBody, SegmentsQuery, SegmentsWritten, StreamParams, StreamView, StreamWritten } from "../schemas/streams.ts";
import { acceptedRecordOf } from "./products.ts";

// A merchant writes to its own streams; mediators and the operator read every stream (DESIGN.md
// "Visibility"); another merchant's stream is a 404, as if it did not exist.
const writers: Access = { roles: ["merchant"], ownedOnly: ["merchant"] };
const readers: Access = { roles: ["merchant", "mediator", "admin"], ownedOnly: ["merchant"] };
const tags = ["streams"];
const security = [{ apiKey: [] }];

const streamsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = publicBaseUrl(app.config);

  app.post(
    "/v1/streams",
    {
      config: { access: writers },
      schema: {
        tags, security,
        summary: "Open a live stream",
        description: "Writes the stream and its first record (stream.opened) on the subject urn:tracemark:stream:{uuid}. Claims, segments and the final playlist follow on the same chain.",
        body: OpenStreamBody,
        response: { 201: StreamWritten, 400: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const { stream, record } = await openStream(app.db, request.principal!, request.body);
      return reply.status(201).send({ stream, record: acceptedRecordOf(record) });
    },
  );

  app.get(
    "/v1/streams/:streamId",
    { config: { access: readers }, schema: { tags, security, summary: "A live stream", params: StreamParams, response: { 200: StreamView, 400: ErrorBody, 404: ErrorBody, ...authErrors } } },
    async (request) => streamView(await findStream(app.db, readScopeOf(request.principal!), request.params.streamId)),
  );

  app.post(
    "/v1/streams/:streamId/claims",
    {
      config: { access: writers },
      schema: {
        tags, security,
        summary: "Record what the host claimed on air about a product",
        description: "A stream.claim record on the stream's chain. In a public stream it is a public record, listed on the product's scan page. Refused (409) once the stream has ended.",
        params: StreamParams,
        body: ClaimBody,
        response: { 201: ClaimWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const { claim, record } = await addClaim(app.db, base, request.principal!, request.params.streamId, request.body);
      return reply.status(201).send({ claim, record: acceptedRecordOf(record) });
    },
  );

  app.get(
    "/v1/streams/:streamId/claims",
    { config: { access: readers }, schema: { tags, security, summary: "The claims of a stream, in the order they were said", params: StreamParams, response: { 200: ClaimList, 400: ErrorBody, 404: ErrorBody, ...authErrors } } },
    async (request) => ({ claims: await listClaims(app.db, readScopeOf(request.principal!), request.params.streamId) }),
  );

  app.post(
    "/v1/streams/:streamId/segments",
    {
      config: { access: writers },
      schema: {
        tags, security,
        summary: "Notarize HLS segments as they are produced (up to 100 a request)",
        description:
          "Each new segment is a stream.segment record on the stream's chain: contentHash is the segment's raw-byte SHA-256 (so `tracemark verify --content <segment>` checks it), " +
          "and the envelope's `segment` member names its rendition, media sequence number, URI, duration, size and program date-time. " +
          "Idempotent per (stream, rendition, mediaSequence): a segment sent again is a `duplicate`; the same number with another SHA-256 is a 409. Refused (409) once the stream has ended.",
        params: StreamParams,
        headers: IdempotencyHeaders,
        body: SegmentsBody,
        response: { 202: SegmentsWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const key = request.headers["idempotency-key"];
      const { outcomes, replayed } = await submitSegments(app.db, request.principal!, request.params.streamId, request.body, key);
      return reply.status(202).header("idempotent-replayed", String(replayed)).send({ rendition: request.body.rendition, segments: outcomes });
    },
  );

  app.get(
    "/v1/streams/:streamId/segments",
    {
      config: { access: readers },
      schema: {
        tags, security,
        summary: "The stream's notarized segments, with gaps and late segments detected",
        description: "Per rendition, in media sequence order: each segment with its record, and the media sequence numbers never notarized (gaps, including any the final playlist lists beyond them).",
        params: StreamParams,
        querystring: SegmentsQuery,
        response: { 200: SegmentReport, 400: ErrorBody, 404: ErrorBody, ...authErrors },
      },
    },
    async (request) => segmentReport(app.db, readScopeOf(request.principal!), request.params.streamId, request.query.rendition),
  );

  app.post(
    "/v1/streams/:streamId/end",
    {
      config: { access: writers },
      schema: {
        tags, security,
        summary: "End the stream with its final media playlist",
        description: "A stream.ended record whose contentHash is the final playlist's raw-byte SHA-256; the stream takes no more claims or segments. Sending the same end again answers as the first did.",
        params: StreamParams,
        body: EndStreamBody,
        response: { 200: Type.Object({ stream: StreamView, record: Type.Object({ id: Type.String(), status: Type.String(), receipt: Type.Unknown() }) }), 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request) => {
      const { stream, record } = await endStream(app.db, request.principal!, request.params.streamId, request.body);
      if (record) return { stream, record: acceptedRecordOf(record) };
      const [stored] = await findRecords(app.db, [stream.finalRecordId!]);
      return { stream, record: { id: stored!.id, status: statusOf(stored!), receipt: receiptOf(stored!) } };
    },
  );
};

export default streamsRoutes;
