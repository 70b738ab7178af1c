// GS1 identifiers for Tracemark: GTINs, Application Identifiers, GS1 Digital Link URIs and serials.
// Pure: no database, no network, no server. See docs in each file for the spec sections.
export { GTIN_LENGTHS, gs1CheckDigit, hasValidCheckDigit, isValidGtin, toGtin14 } from "./gtin.ts";
export { CHARSET_82, CHARSET_39, isCharset82, percentEncode, percentDecode } from "./charset.ts";
export {
  lookupAi,
  listAis,
  isPrimaryKey,
  isValidKeyQualifierPath,
  type ApplicationIdentifier,
  type AiComponent,
  type SyntaxTest,
} from "./application-identifiers.ts";
export { validateAiValue } from "./ai-syntax.ts";
export { yymmddToIsoDate, yearOfYy } from "./dates.ts";
export { toElementString, toBracketedElementString, type AiElement } from "./element-string.ts";
export type { DigitalLink } from "./digital-link.ts";
export { parseDigitalLink, type ParseOptions, type ParsedDigitalLink } from "./digital-link-parse.ts";
export { formatDigitalLink, canonicalDigitalLink, type DigitalLinkParts } from "./digital-link-format.ts";
export { randomSerial, serialEntropyBits, SERIAL_ALPHABET, SERIAL_ALPHABET_UPPER, MAX_SERIAL_LENGTH } from "./serial.ts";
export { Gs1SyntaxError, GS1_SYNTAX_CODES, type Gs1SyntaxCode } from "./errors.ts";
