// The resolver description file, served at /.well-known/gs1resolver (GS1-Conformant Resolver 1.2
// §"Resolver description file"; RFC 8615 well-known URI): what a client needs to use this
// resolver without reading its documentation.
import { GS1_VOC, OWN_PREFIX, ownVocabulary } from "./vocabulary.ts";

/** The link types this resolver itself offers for every product (merchants add their own). */
export const SERVED_LINK_TYPES = ["defaultLink", "pip", "certificationInfo", "recallStatus", "traceability", "verificationService"] as const;

export function resolverDescription(base: string) {
  return {
    name: "Tracemark GS1-Conformant resolver",
    resolverRoot: base,
    supportedPrimaryKeys: ["01"],
    supportedKeyQualifiers: { "01": ["10", "21"] },
    supportedLinkType: [
      { namespace: GS1_VOC, prefix: "gs1:", profile: "https://ref.gs1.org/voc/?show=linktypes" },
      { namespace: ownVocabulary(base), prefix: OWN_PREFIX, profile: `${base}/docs` },
    ],
    linkTypes: [...SERVED_LINK_TYPES.map((t) => `gs1:${t}`), `${OWN_PREFIX}trustDocument`],
    linkTypeDefaultCanBeLinkset: false,
    linksetMediaType: "application/linkset+json",
    // Resolver 1.2 compression (GS1 Digital Link: Compression) is not supported; HTTPS is
    // terminated in front of the service (README "GS1 resolver").
    supportsCompressedUris: false,
  };
}
