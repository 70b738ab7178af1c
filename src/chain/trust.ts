// The service's own trust document (GET /.well-known/tracemark-trust.json), and what POST
// /v1/verify checks receipts against: exactly the contract this service anchors with.
import { trustDocumentOf, type TrustDocument } from "../verifier/trust.ts";
import type { ChainHandle } from "./connect.ts";

export const SERVICE_TRUST_NAME = "Tracemark BatchAnchor";

export function serviceTrust(chain: Pick<ChainHandle, "chainId" | "contractAddress" | "deployBlock">): TrustDocument {
  return trustDocumentOf({
    chainId: Number(chain.chainId),
    contract: chain.contractAddress,
    deployBlock: chain.deployBlock,
    name: SERVICE_TRUST_NAME,
  });
}
