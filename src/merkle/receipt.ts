// Receipt v1 (DESIGN.md "Receipt v1", docs/receipt-v1.md): the self-contained JSON document a
// user keeps. The TypeBox schema below is the single source of the type, of parseReceipt's
// validation and of docs/receipt-v1.schema.json (written by scripts/gen-fixtures.ts, compared in
// test/merkle/schema.test.ts).
import Type from "typebox";
import type { Static } from "typebox";
import { Compile } from "typebox/compile";
import { nonJsonAt } from "./canonical.ts";
import { EnvelopeSchema, RFC3339_UTC_PATTERN } from "./envelope.ts";
import type { Envelope } from "./envelope.ts";
import { VerificationError } from "./errors.ts";
import { HEX32_PATTERN } from "./hex.ts";

export const RECEIPT_FORMAT = "tracemark.receipt.v1";

/** A tree of 2^64 leaves has paths of 64 hashes; nothing longer can verify. */
export const MAX_AUDIT_PATH = 64;

const Hex32 = Type.String({ pattern: HEX32_PATTERN });
/** Ethereum hashes: 0x and 64 lower-case hex digits, as JSON-RPC returns them. */
const ETH_HASH_PATTERN = "^0x[0-9a-f]{64}$";
/** Ethereum addresses: 0x and 40 hex digits, lower case or EIP-55 mixed case. */
const ETH_ADDRESS_PATTERN = "^0x[0-9a-fA-F]{40}$";

export const RecordSchema = Type.Object(
  {
    envelope: EnvelopeSchema,
    recordHash: Type.String({ pattern: HEX32_PATTERN, description: "SHA-256 of the envelope's RFC 8785 canonical bytes" }),
    salt: Type.String({ pattern: HEX32_PATTERN, description: "32 random bytes chosen by the server for this record" }),
  },
  { additionalProperties: false },
);

export const InclusionSchema = Type.Object(
  {
    leafHash: Type.String({ pattern: HEX32_PATTERN, description: "SHA-256(0x00 || salt || recordHash)" }),
    leafIndex: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "0-based position of the leaf in the batch" }),
    treeSize: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "number of leaves in the batch" }),
    auditPath: Type.Array(Hex32, { maxItems: MAX_AUDIT_PATH, description: "RFC 9162 §2.1.3.1 inclusion proof, leaf to root" }),
    root: Type.String({ pattern: HEX32_PATTERN, description: "RFC 9162 Merkle Tree Hash of the batch" }),
  },
  { additionalProperties: false, description: "Where the record sits in its batch; null until the batch is sealed." },
);

const anchorCommon = {
  chainId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "EIP-155 chain id" }),
  contract: Type.String({ pattern: ETH_ADDRESS_PATTERN, description: "BatchAnchor contract address, 0x-prefixed" }),
  batchSeq: Type.Integer({
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    description: "Tracemark's number for the batch (not the contract's anchor sequence, which the verifier reads from the chain)",
  }),
  txHash: Type.String({ pattern: ETH_HASH_PATTERN, description: "the anchoring transaction, 0x-prefixed" }),
};

/** The anchoring transaction was sent but is not mined yet: no block to name. */
export const PendingAnchorSchema = Type.Object(
  {
    status: Type.Literal("pending"),
    ...anchorCommon,
    blockNumber: Type.Null(),
    blockHash: Type.Null(),
    blockTime: Type.Null(),
  },
  { additionalProperties: false },
);

/** Mined ("anchored") or past the finality threshold ("final"). */
export const MinedAnchorSchema = Type.Object(
  {
    status: Type.Union([Type.Literal("anchored"), Type.Literal("final")]),
    ...anchorCommon,
    blockNumber: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "block of the anchoring transaction" }),
    blockHash: Type.String({ pattern: ETH_HASH_PATTERN, description: "hash of that block, 0x-prefixed" }),
    blockTime: Type.String({ pattern: RFC3339_UTC_PATTERN, description: "that block's timestamp, RFC 3339 UTC (a verifier reads it from the chain)" }),
  },
  { additionalProperties: false },
);

export const AnchorSchema = Type.Union([PendingAnchorSchema, MinedAnchorSchema], {
  description: "The batch root's anchoring transaction; null until it is sent.",
});

export const ReceiptSchema = Type.Object(
  {
    format: Type.Literal(RECEIPT_FORMAT, { description: "format and version of this document" }),
    record: RecordSchema,
    inclusion: Type.Union([InclusionSchema, Type.Null()]),
    anchor: Type.Union([AnchorSchema, Type.Null()]),
  },
  {
    additionalProperties: false,
    description: "A Tracemark receipt v1: one record, its inclusion proof in a batch and the batch's anchor (docs/receipt-v1.md).",
    // Only a sealed batch can be anchored.
    if: { properties: { inclusion: { type: "null" } } },
    then: { properties: { anchor: { type: "null" } } },
  },
);

/** docs/receipt-v1.schema.json: the receipt schema as a stand-alone JSON Schema (draft 2020-12). */
export function receiptJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "urn:tracemark:schema:receipt:v1",
    title: "Tracemark receipt v1",
    ...(JSON.parse(JSON.stringify(ReceiptSchema)) as Record<string, unknown>),
  };
}

export type Inclusion = Static<typeof InclusionSchema>;
export type PendingAnchor = Static<typeof PendingAnchorSchema>;
export type MinedAnchor = Static<typeof MinedAnchorSchema>;
export type Anchor = PendingAnchor | MinedAnchor;
export type ReceiptRecord = Omit<Static<typeof RecordSchema>, "envelope"> & { envelope: Envelope };
export type Receipt = { format: typeof RECEIPT_FORMAT; record: ReceiptRecord; inclusion: Inclusion | null; anchor: Anchor | null };

const receiptValidator = Compile(ReceiptSchema);
const pendingValidator = Compile(PendingAnchorSchema);
const minedValidator = Compile(MinedAnchorSchema);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function firstError(errors: { keyword: string; instancePath: string; message: string }[], prefix = ""): string {
  const error = errors[0];
  if (error === undefined) return "does not match the receipt v1 schema";
  // additionalProperties: false reports the extra member as "schema is false".
  const message = error.keyword === "boolean" ? "is not a member receipt v1 defines" : error.message;
  return `${prefix}${error.instancePath || ""} ${message}`.trim();
}

/** Names the first schema violation as precisely as possible (a union alone only says "anyOf"). */
function describe(input: Record<string, unknown>): { message: string; path: string } {
  const anchor = input["anchor"];
  if (isObject(anchor) && typeof anchor["status"] === "string") {
    const validator = anchor["status"] === "pending" ? pendingValidator : minedValidator;
    const errors = validator.Errors(anchor);
    if (errors.length > 0) {
      const at = `/anchor${errors[0]?.instancePath ?? ""}`;
      return { message: firstError(errors, "/anchor"), path: at };
    }
  }
  const errors = receiptValidator.Errors(input);
  return { message: firstError(errors), path: errors[0]?.instancePath || "/" };
}

/**
 * Checks that `input` is a receipt v1 and returns it typed. Throws VerificationError
 * UNSUPPORTED_FORMAT for another `format`, MALFORMED_RECEIPT for anything else that is wrong,
 * with a JSON pointer to the offending member.
 */
export function parseReceipt(input: unknown): Receipt {
  if (!isObject(input)) throw new VerificationError("MALFORMED_RECEIPT", "a receipt is a JSON object", { path: "/" });
  const format = input["format"];
  if (format !== RECEIPT_FORMAT) {
    if (typeof format === "string" && format.startsWith("tracemark.receipt.")) {
      throw new VerificationError("UNSUPPORTED_FORMAT", `receipt format "${format}" is not supported (expected "${RECEIPT_FORMAT}")`, { path: "/format" });
    }
    throw new VerificationError("MALFORMED_RECEIPT", `/format must be "${RECEIPT_FORMAT}"`, { path: "/format" });
  }
  if (!receiptValidator.Check(input)) {
    const { message, path } = describe(input);
    throw new VerificationError("MALFORMED_RECEIPT", message, { path });
  }
  if (input.anchor !== null && input.inclusion === null) {
    throw new VerificationError("MALFORMED_RECEIPT", "/anchor is set but /inclusion is null: only a sealed batch can be anchored", { path: "/inclusion" });
  }
  // The schema lets extra envelope members be anything; they must still hash the same after a
  // round trip through JSON (see canonical.ts).
  const bad = nonJsonAt(input.record.envelope, "/record/envelope");
  if (bad !== undefined) throw new VerificationError("MALFORMED_RECEIPT", `${bad} is not plain JSON`, { path: bad });
  return input as Receipt;
}
