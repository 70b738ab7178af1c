// What `tracemark verify` trusts: trust documents (--trust FILE|URL, repeatable) and the shortcut
// --contract ADDR [--chain-id N] [--deploy-block N]. The receipt never decides which contract
// counts (docs/receipt-v1.md "Trust"); at most, without --chain-id, it says which chain --contract
// is meant for, and the output says so. No ethers here: --offline must not load it.
import { readFile } from "node:fs/promises";
import type { ParseArgsOptionsConfig } from "node:util";
/**
 * A trust URL as the user typed it, less userinfo and query: it names a public document (unlike
 * an RPC URL, whose path may be an API key), and the user needs its path to fetch it again.
 */
function shown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "<invalid URL>";
  }
}
import { parseTrustDocument, TrustDocumentError } from "./trust.ts";
import type { TrustAnchor, TrustDocument } from "./trust.ts";
import { UsageError } from "../cli/usage-error.ts";

export interface TrustFlags {
  trust: string[];
  contract?: string;
  chainId?: string;
  deployBlock?: string;
}

/** The trust for one receipt, or undefined when the user gave none. */
export type TrustFor = (receipt: unknown) => TrustAnchor[] | undefined;

const FETCH_TIMEOUT_MS = 10_000;
const MAX_TRUST_BYTES = 1024 * 1024;

const isHttpUrl = (text: string) => /^https?:\/\//i.test(text);

/** The parseArgs options every checking command shares (verify, verify-bundle): which chain, what to trust. */
export const CHAIN_OPTIONS = {
  rpc: { type: "string" },
  trust: { type: "string", multiple: true, default: [] as string[] },
  contract: { type: "string" },
  "chain-id": { type: "string" },
  "deploy-block": { type: "string" },
  offline: { type: "boolean", default: false },
} satisfies ParseArgsOptionsConfig;

/** What parseArgs gives back for CHAIN_OPTIONS. */
export interface ChainFlagValues {
  rpc?: string | undefined;
  trust: string[];
  contract?: string | undefined;
  "chain-id"?: string | undefined;
  "deploy-block"?: string | undefined;
  offline: boolean;
}

/** The chain flags checked as one: --rpc or --offline (never both), trust only with --rpc. */
export function chainFlags(values: ChainFlagValues): { rpcUrl?: string; trust: TrustFlags } {
  if (values.offline && values.rpc !== undefined) throw new UsageError("--offline and --rpc exclude each other");
  if (!values.offline && values.rpc === undefined) {
    throw new UsageError("give --rpc URL (the chain to check the anchors against; the only one trusted) or --offline");
  }
  if (values.rpc !== undefined && !isHttpUrl(values.rpc)) throw new UsageError("--rpc must be an http(s) URL");
  const trust: TrustFlags = { trust: values.trust };
  if (values.contract !== undefined) trust.contract = values.contract;
  if (values["chain-id"] !== undefined) trust.chainId = values["chain-id"];
  if (values["deploy-block"] !== undefined) trust.deployBlock = values["deploy-block"];
  if (values.offline && (trust.trust.length > 0 || trust.contract !== undefined)) throw new UsageError("--trust and --contract go with --rpc: --offline asks no chain");
  checkTrustFlags(trust);
  return { trust, ...(values.rpc === undefined ? {} : { rpcUrl: values.rpc }) };
}

export function checkTrustFlags(flags: TrustFlags): void {
  if (flags.contract === undefined) {
    if (flags.chainId !== undefined) throw new UsageError("--chain-id goes with --contract");
    if (flags.deployBlock !== undefined) throw new UsageError("--deploy-block goes with --contract");
    return;
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(flags.contract)) throw new UsageError("--contract must be an address: 0x and 40 hex digits");
  if (flags.chainId !== undefined && !/^[1-9][0-9]{0,15}$/.test(flags.chainId)) throw new UsageError("--chain-id must be a positive integer");
  if (flags.deployBlock !== undefined && !/^(0|[1-9][0-9]{0,15})$/.test(flags.deployBlock)) throw new UsageError("--deploy-block must be a block number");
}

async function fetchTrust(url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: "application/json" } });
  } catch (error) {
    throw new UsageError(`cannot fetch trust document ${shown(url)}: ${(error as Error).message}`);
  }
  if (!res.ok) throw new UsageError(`cannot fetch trust document ${shown(url)}: HTTP ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_TRUST_BYTES) throw new UsageError(`trust document ${shown(url)} is larger than ${MAX_TRUST_BYTES} bytes`);
  return text;
}

async function readTrust(source: string): Promise<{ document: TrustDocument; fetched: boolean }> {
  const fetched = isHttpUrl(source);
  let text: string;
  if (fetched) text = await fetchTrust(source);
  else {
    try {
      text = await readFile(source, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read trust document ${source}${code ? ` (${code})` : ""}`);
    }
  }
  const name = fetched ? shown(source) : source;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`trust document ${name} is not JSON: ${(error as Error).message}`);
  }
  try {
    return { document: parseTrustDocument(json, `trust document ${name}`), fetched };
  } catch (error) {
    if (error instanceof TrustDocumentError) throw new UsageError(error.message);
    throw error;
  }
}

/** The chain id a receipt names, if it names one (the receipt is not validated yet). */
function receiptChainId(receipt: unknown): number | undefined {
  const anchor = (receipt as { anchor?: { chainId?: unknown } } | null)?.anchor;
  const chainId = anchor?.chainId;
  return typeof chainId === "number" && Number.isSafeInteger(chainId) && chainId > 0 ? chainId : undefined;
}

/**
 * Reads every trust source once. A fetched document is printed on `note` in full, so the user can
 * save it and pin it (`--trust FILE`) rather than fetch it again from a server they then trust.
 */
export async function loadTrust(flags: TrustFlags, note: (line: string) => void): Promise<TrustFor> {
  const anchors: TrustAnchor[] = [];
  for (const source of flags.trust) {
    const { document, fetched } = await readTrust(source);
    if (fetched) {
      note(`tracemark: trust document from ${shown(source)} (save it, and pass --trust FILE next time to pin it):`);
      note(JSON.stringify(document, null, 2));
    }
    anchors.push(...document.anchors);
  }
  const { contract } = flags;
  if (contract === undefined) return () => (anchors.length > 0 ? anchors : undefined);
  const deployBlock = flags.deployBlock === undefined ? 0 : Number(flags.deployBlock);
  if (flags.chainId !== undefined) {
    anchors.push({ chainId: Number(flags.chainId), contract, deployBlock, name: "--contract" });
    return () => anchors;
  }
  note(`tracemark: --contract without --chain-id: trusting ${contract} on the chain each receipt names`);
  return (receipt) => {
    const chainId = receiptChainId(receipt);
    const own = chainId === undefined ? [] : [{ chainId, contract, deployBlock, name: `--contract, chain id ${chainId} read from the receipt` }];
    return [...anchors, ...own];
  };
}
