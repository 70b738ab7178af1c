// Link types (GS1-Conformant Resolver 1.2 §"Link types"): the GS1 Web Vocabulary's, in their
// namespace https://ref.gs1.org/voc/ (written gs1:… in short), and Tracemark's own, in a
// namespace of its own under PUBLIC_BASE_URL. A resolver "MAY recognise additional namespaces but
// link types defined elsewhere SHALL NOT duplicate link types available from GS1": a name of ours
// that GS1 already has is refused (use gs1:… instead).
import { invalid } from "../errors.ts";

export const GS1_VOC = "https://ref.gs1.org/voc/";

/**
 * The link types of the GS1 Web Vocabulary (https://ref.gs1.org/voc/?show=linktypes). Change
 * management (GS1 Web Vocabulary §"Change management"): terms are added, never removed or
 * redefined, so a type recognised here keeps its meaning.
 */
export const GS1_LINK_TYPES = new Set([
  "activityIdeas", "allergenInfo", "appDownload", "brandHomepageClinical", "brandHomepagePatient", "careersInfo",
  "certificationInfo", "consumerHandlingStorageInfo", "defaultLink", "defaultLinkMulti", "dpp", "epcis", "epil",
  "eventsInfo", "faqs", "handledBy", "hazardousMaterialInfo", "homepage", "ingredientsInfo", "instructions", "jws",
  "leaveReview", "locationInfo", "logisticsInfo", "loyaltyProgram", "masterData", "menuInfo", "nutritionalInfo",
  "openingHoursInfo", "paymentLink", "pip", "productSustainabilityInfo", "promotion", "purchaseSuppliesOrAccessories",
  "quickStartGuide", "recallStatus", "recipeInfo", "registerProduct", "registryEntry", "relatedImage", "relatedVideo",
  "review", "safetyInfo", "scheduleTime", "serviceInfo", "smartLabel", "smpc", "socialMedia", "statisticInfo",
  "subscribe", "support", "sustainabilityInfo", "traceability", "tutorial", "userAgreement", "verificationService",
  "whatsInTheBox",
]);

/** Link types only the resolver sets: exactly one default link per request URI, and no GCP-level hand-off. */
export const RESERVED_LINK_TYPES = new Set([`${GS1_VOC}defaultLink`, `${GS1_VOC}defaultLinkMulti`, `${GS1_VOC}handledBy`]);

/** Tracemark's own link-type namespace: {PUBLIC_BASE_URL}/voc/ (a term there is never a GS1 one), written tracemark:{term} in short. */
export const ownVocabulary = (base: string): string => `${base}/voc/`;
export const OWN_PREFIX = "tracemark:";

const TERM = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * The full URI of a link type as a client writes it: `gs1:pip`, `https://ref.gs1.org/voc/pip`,
 * a term of our own namespace (`warrantyCard` or `tracemark:warrantyCard`), or any absolute http(s) URI of another
 * namespace. Throws a 400 naming `field` for a GS1 term GS1 does not define, or one of ours that
 * duplicates a GS1 term.
 */
export function linkTypeUri(text: string, base: string, field: string): string {
  const gs1Term = text.startsWith("gs1:") ? text.slice(4) : text.startsWith(GS1_VOC) ? text.slice(GS1_VOC.length) : null;
  if (gs1Term !== null) {
    if (!GS1_LINK_TYPES.has(gs1Term)) throw invalid(field, `names gs1:${gs1Term}, which is not a link type of the GS1 Web Vocabulary`);
    return GS1_VOC + gs1Term;
  }
  const ours = text.startsWith(ownVocabulary(base)) ? text.slice(ownVocabulary(base).length) : text.startsWith(OWN_PREFIX) ? text.slice(OWN_PREFIX.length) : TERM.test(text) ? text : null;
  if (ours !== null) {
    if (!TERM.test(ours)) throw invalid(field, `must be a term of letters and digits in ${ownVocabulary(base)}`);
    if (GS1_LINK_TYPES.has(ours)) throw invalid(field, `duplicates the GS1 link type gs1:${ours}: use gs1:${ours}`);
    return ownVocabulary(base) + ours;
  }
  if (/^https?:\/\/[^/?#\s]+\/[^\s]*$/.test(text) && text.length <= 255) {
    // Another namespace: allowed, unless it dresses a GS1 term up under another prefix.
    const term = /[/#]([A-Za-z][A-Za-z0-9]*)$/.exec(text)?.[1];
    if (term !== undefined && GS1_LINK_TYPES.has(term) && /gs1/i.test(text)) throw invalid(field, `looks like the GS1 link type gs1:${term}: use gs1:${term}`);
    return text;
  }
  throw invalid(field, "must be gs1:{term}, a term of ours, or an absolute http(s) link-type URI");
}

/** The short form people read: gs1:pip for GS1 terms, the URI otherwise. */
export const shortLinkType = (uri: string): string => (uri.startsWith(GS1_VOC) ? `gs1:${uri.slice(GS1_VOC.length)}` : uri);
