// The real service as a child process; shared with the benchmark, so it lives in scripts/lib.
export { spawnServer, startServer, type ServerProcess } from "../../scripts/lib/server-process.ts";
