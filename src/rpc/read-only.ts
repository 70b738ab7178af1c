// A read-only JSON-RPC 2.0 endpoint for the in-process chain (embedded mode), so shoppers'
// browsers can ask the chain themselves when there is no public node: a fixed allow-list of read
// methods, bounded batches; anything else is JSON-RPC error -32601. The chain's answers pass
// through unchanged (results and errors, revert data included): the browser verifier reads them
// exactly as it would read any node's.

/** The methods a verifier needs, all of them reads. Nothing that signs, sends, mines or changes state. */
export const READ_METHODS: ReadonlySet<string> = new Set([
  "eth_chainId",
  "eth_blockNumber",
  "eth_call",
  "eth_getLogs",
  "eth_getTransactionByHash",
  "eth_getTransactionReceipt",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getCode",
  "net_version",
]);

/** Calls in one batch at most: a page checks its entries a few calls at a time. */
export const MAX_BATCH = 20;
/** Request body cap: a verifier's calls are small (an eth_call with an audit path is ~3 KiB). */
export const MAX_BODY_BYTES = 64 * 1024;

export const METHOD_NOT_FOUND = -32601;
export const INVALID_REQUEST = -32600;

type Id = string | number | null;
export interface RpcResponse {
  jsonrpc: "2.0";
  id: Id;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** What answers the allowed calls: ethers' JsonRpcApiProvider#_send (one payload → its raw answer). */
export interface RawSender {
  _send(payload: { id: number | string; jsonrpc: "2.0"; method: string; params: unknown[] }): Promise<Array<{ id: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } }>>;
}

const failure = (id: Id, code: number, message: string): RpcResponse => ({ jsonrpc: "2.0", id, error: { code, message } });

function idOf(call: unknown): Id {
  const id = (call as { id?: unknown } | null)?.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

async function answerOne(chain: RawSender, call: unknown): Promise<RpcResponse> {
  const id = idOf(call);
  if (typeof call !== "object" || call === null || Array.isArray(call)) return failure(id, INVALID_REQUEST, "a JSON-RPC request is an object");
  const { jsonrpc, method, params } = call as Record<string, unknown>;
  if (jsonrpc !== "2.0" || typeof method !== "string") return failure(id, INVALID_REQUEST, 'a JSON-RPC request has jsonrpc "2.0" and a method');
  if (!READ_METHODS.has(method)) return failure(id, METHOD_NOT_FOUND, `method ${method.slice(0, 64)} is not offered here: this endpoint is read-only (${[...READ_METHODS].join(", ")})`);
  if (params !== undefined && !Array.isArray(params)) return failure(id, INVALID_REQUEST, "params must be an array");
  const [answer] = await chain._send({ id: id ?? 0, jsonrpc: "2.0", method, params: (params as unknown[] | undefined) ?? [] });
  if (answer === undefined) return failure(id, -32603, "the chain gave no answer");
  if (answer.error !== undefined) {
    const { code, message, data } = answer.error;
    return { jsonrpc: "2.0", id, error: { code: typeof code === "number" ? code : -32000, message: typeof message === "string" ? message : "error", ...(data === undefined ? {} : { data }) } };
  }
  return { jsonrpc: "2.0", id, result: answer.result ?? null };
}

/** A single call or a batch (JSON-RPC 2.0 §6). Returns undefined for an invalid batch size, which the caller refuses. */
export async function answerRpc(chain: RawSender, body: unknown): Promise<RpcResponse | RpcResponse[]> {
  if (!Array.isArray(body)) return answerOne(chain, body);
  if (body.length === 0) return failure(null, INVALID_REQUEST, "an empty batch");
  if (body.length > MAX_BATCH) return failure(null, INVALID_REQUEST, `a batch holds at most ${MAX_BATCH} calls`);
  const answers: RpcResponse[] = [];
  // In turn, not all at once: a batch is one client's, and the chain is shared.
  for (const call of body) answers.push(await answerOne(chain, call));
  return answers;
}
