// Subjects that only the domain routes write (DESIGN.md "Subjects and chains").
//
// A GS1 subject — the Digital Link of a product, lot or item, or of any object an EPCIS event names
// (a case's SSCC, say) — is written only through the traceability routes: POST /v1/products and
// its lots and items, POST /epcis/capture, the recall routes. Those check that the key is under
// one of the merchant's GS1 Company Prefixes, keep the domain rows that pages and queries read,
// and set `prev` themselves. Through the generic POST /v1/records, a merchant could otherwise
// claim the subject of a GTIN under someone else's prefix before its owner registers it (the
// owner's registration would then be refused: the subject holds another's records), or append
// records that no product, lot, item or event row stands for to a chain that every scanner's
// history shows as the item's own. Refusing every GS1 subject there, the caller's own included, is
// one rule with no prefix lookup on the records hot path; a merchant's own GS1 records have a
// domain route to go through.
import { canonicalGs1Uri } from "../epcis/index.ts";
import { AppError } from "../errors.ts";
import { parseDigitalLink } from "../gs1/index.ts";

/** A path segment that could be a GS1 application identifier: checked before anything is parsed. */
const MAY_BE_DIGITAL_LINK = /^https?:\/\/[^/]+\/(?:[^?#]*\/)?[0-9]{2,4}\/[^/]/i;

/** Whether `subject` names a GS1 key: an EPC URI, EPC class or pattern URI, or a GS1 Digital Link URI on any host. */
export function isGs1Subject(subject: string): boolean {
  if (subject.startsWith("urn:epc:")) return true;
  if (!MAY_BE_DIGITAL_LINK.test(subject)) return false;
  if (canonicalGs1Uri(subject) !== undefined) return true;
  try {
    parseDigitalLink(subject, { permitConvenienceAlphas: true, permitZeroSuppressedGtin: true });
    return true;
  } catch {
    return false;
  }
}

/** 403 naming `field` when a generic record would be written on a GS1 subject. */
export function refuseGs1Subject(subject: string, field: string): void {
  if (!isGs1Subject(subject)) return;
  throw new AppError(
    "FORBIDDEN",
    `${field} is a GS1 identifier (${subject.slice(0, 200)}): products, lots, items and the objects of EPCIS events are written only through their own routes ` +
      "(POST /v1/products, its lots and items, POST /epcis/capture, recalls), which check your GS1 Company Prefix; the generic records API takes other subjects",
    { field },
  );
}
