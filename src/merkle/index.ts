// The Merkle and receipt library: pure and synchronous, no database, network or server code.
export * from "./errors.ts";
export * from "./canonical.ts";
export * from "./hex.ts";
export * from "./envelope.ts";
export * from "./leaf.ts";
export * from "./tree.ts";
export * from "./proof.ts";
export * from "./receipt.ts";
export * from "./report.ts";
export * from "./verify.ts";
export * from "./disclosure.ts";
export * from "./disclosure-verify.ts";
