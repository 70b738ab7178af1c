// The Content-Security-Policy of every page (replacing the API's, src/plugins/security-headers.ts,
// which stays on every other response): our own scripts and styles only, no inline code at all,
// JSON data blocks (`<script type="application/json">`) being data that no policy runs; the
// browser may connect to us and to the public RPC it verifies against, nothing else.
import { publicBaseUrl, type Config } from "../config.ts";

/** The RPC shoppers' browsers ask: PUBLIC_RPC_URL, or this service's own /rpc when the chain is in-process. Never CHAIN_RPC_URL. */
export function publicRpcUrl(config: Config, embedded: boolean): string | null {
  if (config.PUBLIC_RPC_URL !== undefined) return config.PUBLIC_RPC_URL;
  return embedded ? `${publicBaseUrl(config)}/rpc` : null;
}

export function pageCsp(rpcUrl: string | null): string {
  const connect = ["'self'"];
  if (rpcUrl !== null) connect.push(new URL(rpcUrl).origin);
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${connect.join(" ")}`,
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}
