// Whether this process can listen where it is told to, asked before it prints or issues anything:
// a second instance on a busy port must say so in one line, not first hand out an admin key.
import { createServer } from "node:net";

/** null when HOST:PORT can be listened on now; otherwise one sentence saying why not. */
export async function whyCannotListen(host: string, port: number): Promise<string | null> {
  if (port === 0) return null; // the OS picks a free port
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(cannotListen(host, port, error)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}

/** The sentence for a failed listen (the probe's, or the server's own if it loses a race). */
export function cannotListen(host: string, port: number, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === "EADDRINUSE") return `port ${port} on ${host} is already in use (another Tracemark?); stop that process or set PORT`;
  if (code === "EACCES") return `no permission to listen on port ${port} on ${host}; set PORT to 1024 or above`;
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") return `cannot listen on ${host}: no such local address; check HOST`;
  return `cannot listen on ${host}:${port}: ${code ?? (error instanceof Error ? error.message : String(error))}`;
}
