// The resolver's query, its description file, and merchant-supplied links.
import { Type, type Static } from "typebox";
import { Uuid } from "./common.ts";

/** Any other key=value pair is allowed: it is passed on when redirecting (Resolver 1.2). */
export const ResolverQuery = Type.Object(
  {
    linkType: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "linkset (or all) for the linkset; gs1:{term}, or a link-type URI, to be redirected there" })),
    context: Type.Optional(Type.String({ maxLength: 100, description: "Matched against the links' context" })),
  },
  { additionalProperties: true },
);

export const ResolverDescription = Type.Object({
  name: Type.String(),
  resolverRoot: Type.String(),
  supportedPrimaryKeys: Type.Array(Type.String()),
  supportedKeyQualifiers: Type.Record(Type.String(), Type.Array(Type.String())),
  supportedLinkType: Type.Array(Type.Object({ namespace: Type.String(), prefix: Type.String(), profile: Type.String() })),
  linkTypes: Type.Array(Type.String()),
  linkTypeDefaultCanBeLinkset: Type.Boolean(),
  linksetMediaType: Type.String(),
  supportsCompressedUris: Type.Boolean(),
});

const Language = Type.String({ pattern: "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", maxLength: 35, description: "BCP 47 language tag" });

export const CreateLinkBody = Type.Object(
  {
    linkType: Type.String({ minLength: 1, maxLength: 255, description: "gs1:{term} of the GS1 Web Vocabulary, a term of Tracemark's namespace ({PUBLIC_BASE_URL}/voc/{term}), or an absolute link-type URI of another namespace; never gs1:defaultLink or gs1:handledBy" }),
    href: Type.String({ minLength: 10, maxLength: 2000, pattern: "^https?://[^\\s]+$", description: "The target: an absolute http(s) URL" }),
    title: Type.String({ minLength: 1, maxLength: 200, pattern: "^[^\\u0000-\\u001f\\u007f]*$" }),
    type: Type.Optional(Type.String({ minLength: 3, maxLength: 100, pattern: "^[a-zA-Z0-9!#$&^_.+-]+/[a-zA-Z0-9!#$&^_.+-]+$", description: "The target's media type" })),
    hreflang: Type.Optional(Type.Array(Language, { maxItems: 10 })),
    context: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: "^[A-Za-z0-9_.:-]+$" })),
    lot: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: "Put the link on this lot's linkset rather than the product's" })),
  },
  { additionalProperties: false },
);
export type CreateLinkBodyT = Static<typeof CreateLinkBody>;

export const LinkView = Type.Object({
  id: Uuid,
  anchor: Type.String({ description: "The product's or lot's Digital Link URI" }),
  linkType: Type.String(),
  href: Type.String(),
  title: Type.String(),
  type: Type.Union([Type.String(), Type.Null()]),
  hreflang: Type.Array(Type.String()),
  context: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
});

export const LinkIdParams = Type.Object({ gtin: Type.String({ pattern: "^[0-9]{8,14}$" }), linkId: Uuid });
