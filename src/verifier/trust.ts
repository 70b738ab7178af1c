// Trust documents (DESIGN.md "Trust", docs/receipt-v1.md "Trust"): which BatchAnchor contracts a
// verifier counts. A receipt names its chain and contract, but anyone can deploy a lookalike and
// anchor a fake root with it, so the verifier is told by its user, never by the receipt, which
// contracts are Tracemark's. Pure: no network, no ethers (the CLI's --offline path imports it).
import Type from "typebox";
import type { Static } from "typebox";
import { Compile } from "typebox/compile";

export const TRUST_FORMAT = "tracemark.trust.v1";

export const TrustAnchorSchema = Type.Object(
  {
    chainId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "EIP-155 chain id" }),
    contract: Type.String({ pattern: "^0x[0-9a-fA-F]{40}$", description: "the BatchAnchor contract's address, 0x-prefixed" }),
    deployBlock: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "the block that created the contract: no genuine anchor can be older",
    }),
    name: Type.String({ minLength: 1, maxLength: 200, description: "who runs it, for people reading a report" }),
  },
  { additionalProperties: false },
);

export const TrustDocumentSchema = Type.Object(
  {
    format: Type.Literal(TRUST_FORMAT),
    anchors: Type.Array(TrustAnchorSchema, {
      minItems: 1,
      maxItems: 100,
      description: "every contract that anchors this service's receipts; a later chain or contract is added, never swapped",
    }),
  },
  { additionalProperties: false, description: "GET /.well-known/tracemark-trust.json (docs/receipt-v1.md \"Trust\")" },
);

export type TrustAnchor = Static<typeof TrustAnchorSchema>;
export type TrustDocument = Static<typeof TrustDocumentSchema>;

export class TrustDocumentError extends Error {
  constructor(source: string, problem: string) {
    super(`${source} is not a trust document: ${problem}`);
    this.name = "TrustDocumentError";
  }
}

const validator = Compile(TrustDocumentSchema);

/** Checks `input` strictly; the error names the source and the first member that is wrong. */
export function parseTrustDocument(input: unknown, source: string): TrustDocument {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new TrustDocumentError(source, "not a JSON object");
  const format = (input as Record<string, unknown>)["format"];
  if (format !== TRUST_FORMAT) throw new TrustDocumentError(source, `/format must be "${TRUST_FORMAT}" (got ${JSON.stringify(format) ?? "nothing"})`);
  if (!validator.Check(input)) {
    const [error] = validator.Errors(input);
    const what = error === undefined ? "does not match the schema" : error.keyword === "boolean" ? "is not a member of a trust document" : error.message;
    throw new TrustDocumentError(source, `${error?.instancePath || "/"} ${what}`);
  }
  return input;
}

/** The anchor that trusts `contract` on `chainId`, if any. Addresses compare case-insensitively. */
export function trustedAnchorFor(trust: readonly TrustAnchor[], chainId: number, contract: string): TrustAnchor | undefined {
  const address = contract.toLowerCase();
  return trust.find((a) => a.chainId === chainId && a.contract.toLowerCase() === address);
}

/** The one-anchor trust document of a service running `contract` on `chainId`. */
export function trustDocumentOf(anchor: TrustAnchor): TrustDocument {
  return { format: TRUST_FORMAT, anchors: [anchor] };
}
