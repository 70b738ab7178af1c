// Merchant-supplied links of the GS1 resolver: the product's owner adds, lists and removes them.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { publicBaseUrl } from "../config.ts";
import { addLink, listLinks, removeLink } from "../resolver/merchant-links.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { AcceptedRecord } from "../schemas/records.ts";
import { CreateLinkBody, LinkIdParams, LinkView } from "../schemas/resolver.ts";
import { GtinParams } from "../schemas/trace.ts";
import { acceptedRecordOf, traceReaders, traceWriters } from "./products.ts";

const LinkWritten = Type.Object({ link: LinkView, record: AcceptedRecord });

const resolverLinksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = publicBaseUrl(app.config);

  app.post(
    "/v1/products/:gtin/links",
    {
      config: { access: traceWriters },
      schema: {
        tags: ["resolver"],
        summary: "Add a link to the product's (or one lot's) GS1 resolver linkset",
        description:
          "linkType: gs1:{term} of the GS1 Web Vocabulary, a term of Tracemark's own namespace ({PUBLIC_BASE_URL}/voc/{term}, never one GS1 already has), or another namespace's URI. " +
          "gs1:defaultLink and gs1:handledBy are the resolver's own. The change is a public record on the product's or lot's subject.",
        security: [{ apiKey: [] }],
        params: GtinParams,
        body: CreateLinkBody,
        response: { 201: LinkWritten, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const { link, record } = await addLink(app.db, base, request.principal!, request.params.gtin, request.body);
      return reply.status(201).send({ link, record: acceptedRecordOf(record) });
    },
  );

  app.get(
    "/v1/products/:gtin/links",
    {
      config: { access: traceReaders },
      schema: {
        tags: ["resolver"],
        summary: "The merchant-supplied links of a product and its lots",
        security: [{ apiKey: [] }],
        params: GtinParams,
        response: { 200: Type.Object({ links: Type.Array(LinkView) }), 400: ErrorBody, 404: ErrorBody, ...authErrors },
      },
    },
    async (request) => ({ links: await listLinks(app.db, request.principal!, request.params.gtin) }),
  );

  app.delete(
    "/v1/products/:gtin/links/:linkId",
    {
      config: { access: traceWriters },
      schema: {
        tags: ["resolver"],
        summary: "Remove a merchant-supplied link",
        description: "The link leaves the linkset at once (within the resolver's cache lifetime); a public record says it was removed.",
        security: [{ apiKey: [] }],
        params: LinkIdParams,
        response: { 200: LinkWritten, 400: ErrorBody, 404: ErrorBody, ...authErrors },
      },
    },
    async (request) => {
      const { link, record } = await removeLink(app.db, request.principal!, request.params.gtin, request.params.linkId);
      return { link, record: acceptedRecordOf(record) };
    },
  );
};

export default resolverLinksRoutes;
