// A loopback stand-in for a hosted JSON-RPC endpoint whose API key is part of its URL
// (`/v3/<key>?apiKey=<key>` with userinfo, as Infura, Alchemy and the like hand them out). It
// forwards to a real node; switched to failing, it answers 502 and, like many gateways, echoes the
// path it was asked for, so that every copy of the key an error can carry is put to the test.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { freeLoopbackPort } from "../../scripts/lib/loopback.ts";

export interface KeyedRpcProxy {
  /** The URL with its secrets, as an operator would configure it. */
  url: string;
  /** Every secret inside `url`, by where it sits: none may appear in anything printed or returned. */
  secrets: Record<string, string>;
  failing(on: boolean): void;
  close(): Promise<void>;
}

// Markers that .ci/run looks for in the whole CI log (test labels name the kind, never the marker).
export const PATH_SECRET = "SECRETKEY123";
export const QUERY_SECRET = "SECRETKEYQUERY456";
export const USERINFO_SECRET = "SECRETKEYUSER789";

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startKeyedRpcProxy(nodeUrl: string): Promise<KeyedRpcProxy> {
  const port = await freeLoopbackPort();
  const path = `/v3/${PATH_SECRET}`;
  let failing = false;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const sent = await body(request);
      if (failing || !request.url?.startsWith(path)) {
        response.writeHead(502, { "content-type": "text/plain" }).end(`bad gateway: no upstream for ${request.url}`);
        return;
      }
      const upstream = await fetch(nodeUrl, { method: "POST", headers: { "content-type": "application/json" }, body: sent });
      response.writeHead(upstream.status, { "content-type": "application/json" }).end(Buffer.from(await upstream.arrayBuffer()));
    })().catch(() => response.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://rpcuser:${USERINFO_SECRET}@127.0.0.1:${port}${path}?apiKey=${QUERY_SECRET}`,
    secrets: { "path": PATH_SECRET, "query": QUERY_SECRET, "userinfo password": USERINFO_SECRET },
    failing: (on) => void (failing = on),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
