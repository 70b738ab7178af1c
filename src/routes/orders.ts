import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { discloseOrderRecord } from "../evidence/disclosure/disclose.ts";
import { eraseOrderPersonalData } from "../evidence/erasure/erase.ts";
import { schedulePurge } from "../evidence/erasure/retention.ts";
import { addChat, addFile, addPayment, createOrder, findOrder, openAfterSales, updateAfterSales } from "../evidence/orders/orders.ts";
import { listOrders, orderView } from "../evidence/orders/view.ts";
import type { Access } from "../plugins/auth.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import {
  AfterSalesInput,
  AfterSalesParams,
  AfterSalesUpdateInput,
  ChatInput,
  DisclosureDocumentOut,
  DisclosureRequest,
  ErasureInput,
  OrderFileInput,
  OrderIdParams,
  OrderInput,
  OrderListQuery,
  OrderRecordParams,
  OrderView,
  OrderWritten,
  PaymentInput,
} from "../schemas/orders.ts";

// DESIGN.md "Visibility": orders are private; the merchant writes and reads its own, mediators
// and the operator read every one. Erasure answers a data subject request: the operator's.
const writers: Access = { roles: ["merchant"], ownedOnly: ["merchant"] };
const readers: Access = { roles: ["merchant", "mediator", "admin"], ownedOnly: ["merchant"] };
const operator: Access = { roles: ["admin"] };

const ordersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ["orders"];
  const security = [{ apiKey: [] }];
  const writeResponses = { 201: OrderWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, ...authErrors };
  const PRIVATE = "A private record on the order's subject chain (`urn:tracemark:order:{merchantId}:{orderRef}`), `prev` set by the server.";
  const FIELDS = " Each top-level field is committed separately (docs/disclosure-v1.md), so it can later be disclosed alone.";

  if (app.config.PIPELINE === "on") {
    const stop = schedulePurge(app.db, app.config.EVIDENCE_RETENTION_DAYS, app.config.EVIDENCE_PURGE_INTERVAL_MS, app.log);
    app.addHook("onClose", async () => stop());
  }

  app.post(
    "/v1/orders",
    {
      config: { access: { roles: ["merchant"] } },
      schema: {
        tags,
        security,
        summary: "Record an order: its items (marked sold), prices, and the buyer as a disclosable, erasable field",
        description: `${PRIVATE}${FIELDS} Every item must be one of your registered serialised items, not sold before. The buyer is never stored in clear in a record or a column.`,
        body: OrderInput,
        response: writeResponses,
      },
    },
    async (request, reply) => reply.status(201).send(await createOrder(app.db, request.principal!, request.body)),
  );

  app.get(
    "/v1/orders",
    {
      config: { access: { roles: ["merchant", "mediator", "admin"] } },
      schema: { tags, security, summary: "Your orders (a merchant), or any merchant's (mediators, the operator)", querystring: OrderListQuery, response: { 200: Type.Object({ orders: Type.Array(Type.Object({}, { additionalProperties: true })) }), 400: ErrorBody, ...authErrors } },
    },
    async (request) => ({ orders: await listOrders(app.db, { merchantId: request.principal!.role === "merchant" ? request.principal!.merchantId : null }, request.query) }),
  );

  app.get(
    "/v1/orders/:orderId",
    {
      config: { access: readers },
      schema: { tags, security, summary: "An order, its sold items and every record of its chain with its receipt", description: "Another merchant's order is a 404.", params: OrderIdParams, response: { 200: OrderView, 404: ErrorBody, ...authErrors } },
    },
    async (request) => orderView(app.db, await findOrder(app.db, request.principal!, request.params.orderId)),
  );

  app.post(
    "/v1/orders/:orderId/payments",
    { config: { access: writers }, schema: { tags, security, summary: "Record a payment of the order", description: `${PRIVATE}${FIELDS} \`payer\` is personal data, erasable.`, params: OrderIdParams, body: PaymentInput, response: writeResponses } },
    async (request, reply) => reply.status(201).send(await addPayment(app.db, request.principal!, request.params.orderId, request.body)),
  );

  app.post(
    "/v1/orders/:orderId/chats",
    {
      config: { access: writers },
      schema: {
        tags,
        security,
        summary: "Record a chat: a message list, or an exported chat file by its SHA-256",
        description: `${PRIVATE} A file's record has the file's raw SHA-256 as contentHash (\`tracemark verify --content FILE\` checks it); the blob store keeps the bytes. A message list is committed as one personal field, \`messages\`.`,
        params: OrderIdParams,
        body: ChatInput,
        response: writeResponses,
      },
    },
    async (request, reply) => reply.status(201).send(await addChat(app.db, request.principal!, request.params.orderId, request.body)),
  );

  app.post(
    "/v1/orders/:orderId/files",
    { config: { access: writers }, schema: { tags, security, summary: "Record a file of the order (a screenshot, an invoice) by its SHA-256", description: PRIVATE, params: OrderIdParams, body: OrderFileInput, response: writeResponses } },
    async (request, reply) => reply.status(201).send(await addFile(app.db, request.principal!, request.params.orderId, request.body)),
  );

  app.post(
    "/v1/orders/:orderId/after-sales",
    { config: { access: writers }, schema: { tags, security, summary: "Record a return, refund or exchange request", description: `${PRIVATE}${FIELDS}`, params: OrderIdParams, body: AfterSalesInput, response: writeResponses } },
    async (request, reply) => reply.status(201).send(await openAfterSales(app.db, request.principal!, request.params.orderId, request.body)),
  );

  app.post(
    "/v1/orders/:orderId/after-sales/:afterSalesId/updates",
    {
      config: { access: writers },
      schema: { tags, security, summary: "Record the merchant's response to an after-sales request, or its resolution", description: `${PRIVATE}${FIELDS} The record names the request's recordHash.`, params: AfterSalesParams, body: AfterSalesUpdateInput, response: writeResponses },
    },
    async (request, reply) => reply.status(201).send(await updateAfterSales(app.db, request.principal!, request.params.orderId, request.params.afterSalesId, request.body)),
  );

  app.post(
    "/v1/orders/:orderId/records/:recordId/disclosure",
    {
      config: { access: readers },
      schema: {
        tags,
        security,
        summary: "A disclosure document of chosen fields of one record of the order",
        description: "docs/disclosure-v1.md: the record's receipt, its committed digests and the chosen fields' disclosures; the other fields stay hidden. Verify it with `tracemark verify doc.json` or POST /v1/verify. An erased field cannot be disclosed (422).",
        params: OrderRecordParams,
        body: DisclosureRequest,
        response: { 200: DisclosureDocumentOut, 400: ErrorBody, 404: ErrorBody, 422: ErrorBody, ...authErrors },
      },
    },
    async (request) => discloseOrderRecord(app.db, request.principal!, request.params.orderId, request.params.recordId, request.body.fields),
  );

  app.post(
    "/v1/orders/:orderId/erasure",
    {
      config: { access: operator },
      schema: {
        tags,
        security,
        summary: "Erase the personal data of an order (a data subject request): the operator's",
        description:
          "Deletes the values and salts of every personal field (buyer, payer, chat messages) of the order's records; their digests stay, so every receipt still verifies and the other fields can still be disclosed. The erasure is a record on the order's chain naming the records and fields, never the values.",
        params: OrderIdParams,
        body: ErasureInput,
        response: { 200: Type.Intersect([OrderWritten, Type.Object({ erased: Type.Array(Type.Object({ recordId: Type.String(), recordHash: Type.String(), fields: Type.Array(Type.String()) })) })]), 400: ErrorBody, 404: ErrorBody, ...authErrors },
      },
    },
    async (request) => eraseOrderPersonalData(app.db, request.principal!, request.params.orderId, request.body.reason),
  );
};

export default ordersRoutes;
