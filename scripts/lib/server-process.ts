// Runs the real service as a child process (`node src/server.ts`), the way an operator does: for
// tests that need a real process boundary (real-mode start-up, SIGTERM, SIGKILL) and for the
// benchmark, whose load generator must not share the server's event loop.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freeLoopbackPort } from "./loopback.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** The output for an error message (which ends up in test and CI logs): an embedded admin key's secret hidden. */
const withoutKeys = (output: string) => output.replace(/(tmk_[0-9a-f]{12}_)[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g, "$1[redacted]");

/** Starts the server with `env` (on top of a minimal environment) and waits for /readyz = 200. */
export async function startServer(
  env: Record<string, string>,
  options: { readyTimeoutMs?: number; port?: number; nodeArgs?: string[] } = {},
): Promise<ServerProcess> {
  const port = options.port ?? (await freeLoopbackPort());
  const started = spawnServer({ ...env, PORT: String(port) }, options.nodeArgs);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let exitedWith: number | string | null = null;
  void started.exited.then((code) => (exitedWith = code));
  for (;;) {
    if (exitedWith !== null) throw new Error(`server exited (${exitedWith}) before it was ready:\n${withoutKeys(started.output())}`);
    if (Date.now() > deadline) {
      started.kill("SIGKILL");
      throw new Error(`server not ready in time:\n${withoutKeys(started.output())}`);
    }
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200).catch(() => false);
    if (ready) return { ...started, url };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Spawns the server without waiting for anything (for start-up failure tests). */
export function spawnServer(env: Record<string, string>, nodeArgs: string[] = []): Omit<ServerProcess, "url"> {
  const child = spawn(process.execPath, [...nodeArgs, "src/server.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "/tmp", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-200_000);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code ?? -1)));
  const killAtExit = () => child.kill("SIGKILL");
  process.once("exit", killAtExit);
  void exited.then(() => process.off("exit", killAtExit));
  return { child, output: () => output, exited, kill: (signal) => child.kill(signal) };
}
