// Why a GS1 element or Digital Link URI was refused. The codes are stable strings that routes
// can return (with HTTP 400) and tests can name; the message says which AI and what was wrong.

export const GS1_SYNTAX_CODES = [
  "NOT_A_URI", // characters no URI may contain (RFC 3986 §2)
  "BAD_SCHEME", // not http:// or https:// (all lower or all upper case)
  "NO_DOMAIN",
  "NO_PRIMARY_KEY", // no /{primary key}/{value} pair at the end of the path
  "BAD_KEY_QUALIFIERS", // qualifiers not allowed for the key, or out of order
  "EMPTY_VALUE",
  "UNKNOWN_AI",
  "NOT_A_DATA_ATTRIBUTE", // this AI may not appear in the query string
  "BELONGS_IN_PATH", // a key qualifier given as a query parameter
  "DUPLICATE_AI",
  "BAD_VALUE", // length, character set, check digit, date… of one AI value
] as const;

export type Gs1SyntaxCode = (typeof GS1_SYNTAX_CODES)[number];

export class Gs1SyntaxError extends Error {
  readonly code: Gs1SyntaxCode;
  /** The AI the problem is about, when there is one. */
  readonly ai: string | undefined;

  constructor(code: Gs1SyntaxCode, message: string, ai?: string) {
    super(message);
    this.name = "Gs1SyntaxError";
    this.code = code;
    this.ai = ai;
  }
}
