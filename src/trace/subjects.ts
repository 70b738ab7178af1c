// The subjects of traceability records (DESIGN.md "Subjects and chains"): canonical GS1 Digital
// Link URIs (URI Syntax 1.6) on PUBLIC_BASE_URL, so the subject is the QR code's content.
import { formatDigitalLink } from "../gs1/index.ts";

export const productSubject = (base: string, gtin14: string): string =>
  formatDigitalLink({ base, primaryKey: { ai: "01", value: gtin14 } });

export const lotSubject = (base: string, gtin14: string, lot: string): string =>
  formatDigitalLink({ base, primaryKey: { ai: "01", value: gtin14 }, keyQualifiers: [{ ai: "10", value: lot }] });

export const itemSubject = (base: string, gtin14: string, serial: string): string =>
  formatDigitalLink({ base, primaryKey: { ai: "01", value: gtin14 }, keyQualifiers: [{ ai: "21", value: serial }] });

/** The URN a merchant is named by in payloads (DESIGN.md: urn:tracemark:merchant:{uuid}). */
export const merchantUrn = (merchantId: string): string => `urn:tracemark:merchant:${merchantId}`;

/**
 * itemSubject for many serials of one GTIN. A serial of letters and digits (what randomSerial
 * draws) is valid for AI (21) and made only of RFC 3986 unreserved characters, which URI Syntax
 * 1.6 leaves unencoded; so its URI is the product's with /21/{serial} appended, exactly as
 * formatDigitalLink writes it, without parsing each result back. Any other serial goes through
 * formatDigitalLink.
 */
export function itemSubjects(base: string, gtin14: string, serials: readonly string[]): string[] {
  const stem = productSubject(base, gtin14);
  return serials.map((serial) => (/^[A-Za-z0-9]{1,20}$/.test(serial) ? `${stem}/21/${serial}` : itemSubject(base, gtin14, serial)));
}
