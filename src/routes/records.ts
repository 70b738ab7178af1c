import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { notFound } from "../errors.ts";
import type { Access } from "../plugins/auth.ts";
import { GroupCommitter } from "../records/group-commit.ts";
import { notarize, notarizeInGroup, type NotarizeResult } from "../records/notarize.ts";
import { acceptedReceipt, receiptOf, statusOf, statusView } from "../records/receipts.ts";
import { readRecord } from "../records/record-reads.ts";
import { findRecords } from "../records/repository.ts";
import { readScopeOf } from "../records/submitter.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { refuseGs1Subject } from "../trace/domain-subjects.ts";
import { AcceptedRecord, ReceiptOut, BatchInput, IdempotencyHeaders, RecordIdParams, RecordInput, RecordStatusView } from "../schemas/records.ts";

// 403 also for a GS1 subject, which only the traceability routes write (src/trace/domain-subjects.ts).
const writeErrors = { 400: ErrorBody, 409: ErrorBody, 422: ErrorBody, ...authErrors };

const writers: Access = { roles: ["merchant", "admin"] };
// DESIGN.md "Visibility": mediators and the operator read every record, a merchant only its own.
const readers: Access = { roles: ["merchant", "mediator", "admin"], ownedOnly: ["merchant"] };

const recordsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Single-record writes share transactions (src/records/group-commit.ts).
  const groups = new GroupCommitter(app.db, {
    windowMs: app.config.GROUP_COMMIT_WINDOW_MS,
    maxRecords: app.config.GROUP_COMMIT_MAX,
    transactions: app.config.GROUP_COMMIT_TRANSACTIONS,
  });
  // In-flight requests finish on close (app.ts); their records must not wait for a window that
  // no longer matters.
  app.addHook("preClose", () => groups.drain());

  // Records this request created are answered from memory: they were committed a moment ago, as
  // accepted. A replay answers with the records as they are now, read back by id.
  const accepted = async (result: NotarizeResult) =>
    result.created
      ? result.created.map((r) => ({ id: r.id, status: "accepted" as const, receipt: acceptedReceipt(r) }))
      : (await findRecords(app.db, result.ids)).map((r) => ({ id: r.id, status: statusOf(r), receipt: receiptOf(r) }));

  app.post(
    "/v1/records",
    {
      // The payload is hashed (RFC 8785), never stored as text: a NUL in it is data.
      config: { access: writers, notStoredAsText: ["body.payload"] },
      schema: {
        tags: ["records"],
        summary: "Notarize one JSON payload or content hash",
        description:
          "Answers 202 with a pending receipt once the record is committed; it is sealed and anchored in the background. " +
          "Concurrent requests share a transaction (group commit); each is answered on its own. " +
          "A GS1 subject (an EPC URI or a GS1 Digital Link: a product, lot, item, case…) is a 403 naming body.subject: only the traceability routes write those.",
        security: [{ apiKey: [] }],
        headers: IdempotencyHeaders,
        body: RecordInput,
        response: { 202: AcceptedRecord, ...writeErrors },
      },
    },
    async (request, reply) => {
      refuseGs1Subject(request.body.subject, "body.subject");
      const key = request.headers["idempotency-key"];
      const result = await notarizeInGroup(groups, app.db, request.principal!, request.body, {
        field: (_i, name) => `body.${name}`,
        ...(key ? { idempotencyKey: key } : {}),
        requestBody: request.body,
      });
      const [record] = await accepted(result);
      if (!record) throw new Error(`record ${result.ids[0]} vanished after it was committed`);
      return reply.status(202).header("idempotent-replayed", String(result.replayed)).send(record);
    },
  );

  app.post(
    "/v1/records/batch",
    {
      config: { access: writers, notStoredAsText: ["body.records[].payload"] },
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ["records"],
        summary: "Notarize up to 1,000 records atomically",
        security: [{ apiKey: [] }],
        headers: IdempotencyHeaders,
        body: BatchInput,
        response: { 202: Type.Object({ records: Type.Array(AcceptedRecord) }), ...writeErrors },
      },
    },
    async (request, reply) => {
      request.body.records.forEach((record, i) => refuseGs1Subject(record.subject, `body.records[${i}].subject`));
      const key = request.headers["idempotency-key"];
      const result = await notarize(app.db, request.principal!, request.body.records, {
        field: (i, name) => `body.records[${i}].${name}`,
        ...(key ? { idempotencyKey: key } : {}),
        requestBody: request.body,
      });
      return reply.status(202).header("idempotent-replayed", String(result.replayed)).send({ records: await accepted(result) });
    },
  );

  app.get(
    "/v1/records/:id",
    {
      config: { access: readers },
      schema: { tags: ["records"], summary: "A record's status", description: "Another merchant's record is a 404, as if it did not exist.", security: [{ apiKey: [] }], params: RecordIdParams, response: { 200: RecordStatusView, 404: ErrorBody, ...authErrors } },
    },
    async (request) => {
      const record = await readRecord(app.db, request.params.id, readScopeOf(request.principal!));
      if (!record) throw notFound("record", "params.id");
      return statusView(record);
    },
  );

  app.get(
    "/v1/records/:id/receipt",
    {
      config: { access: readers },
      schema: {
        tags: ["records"],
        summary: "The record's current receipt",
        description: "The receipt holds the salt and the envelope: only the submitter, mediators and the operator may read it; for anyone else it is a 404, as if it did not exist.",
        security: [{ apiKey: [] }],
        params: RecordIdParams,
        response: { 200: ReceiptOut, 404: ErrorBody, ...authErrors },
      },
    },
    async (request) => {
      const record = await readRecord(app.db, request.params.id, readScopeOf(request.principal!));
      if (!record) throw notFound("record", "params.id");
      return receiptOf(record);
    },
  );
};

export default recordsRoutes;
