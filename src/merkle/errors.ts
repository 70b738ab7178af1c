// Reason codes of receipt verification. They are stable strings: the CLI prints them, the HTTP
// verify route returns them, and test vectors (test/fixtures/receipts) name them. Adding a code is
// fine; renaming or reusing one is a breaking change.

export const VERIFICATION_CODES = [
  // the receipt itself
  "MALFORMED_RECEIPT",
  "UNSUPPORTED_FORMAT",
  // offline checks (docs/receipt-v1.md, "Verification")
  "RECORD_HASH_MISMATCH",
  "CONTENT_HASH_MISMATCH",
  "LEAF_HASH_MISMATCH",
  "AUDIT_PATH_INVALID",
  // selective disclosure (docs/disclosure-v1.md, "Verification")
  "MALFORMED_DISCLOSURE",
  "DISCLOSURE_MALFORMED",
  "DISCLOSURE_DIGEST_UNKNOWN",
  "DISCLOSURE_DUPLICATE",
  // the contract is not one the verifier's user trusts (docs/receipt-v1.md "Trust")
  "CONTRACT_NOT_TRUSTED",
  // checks against the chain
  "CHAIN_ID_MISMATCH",
  "CONTRACT_NOT_FOUND",
  "CONTRACT_CALL_FAILED",
  "ROOT_NOT_ANCHORED",
  "TREE_SIZE_MISMATCH",
  "INCLUSION_REJECTED_ON_CHAIN",
  "TX_NOT_FOUND",
  "TX_FAILED",
  "ANCHOR_LOG_MISSING",
  "ANCHOR_LOG_MISMATCH",
  "ANCHOR_MISMATCH",
  "ANCHORED_BEFORE_DEPLOYMENT",
  // the chain could not be asked: says nothing about the receipt
  "RPC_UNREACHABLE",
  "RPC_ERROR",
] as const;

export type VerificationCode = (typeof VERIFICATION_CODES)[number];

/** A check that failed, or input that cannot be checked at all. */
export class VerificationError extends Error {
  readonly code: VerificationCode;
  /** Where in the receipt the problem is, as a JSON pointer ("/inclusion/auditPath/3"), if known. */
  readonly path: string | undefined;

  constructor(code: VerificationCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "VerificationError";
    this.code = code;
    this.path = options.path;
  }
}

export function isVerificationError(error: unknown): error is VerificationError {
  return error instanceof VerificationError;
}
