// How every command of this project ends when it cannot start: one line on stderr, exit 1. Used
// by the server and by the thin scripts in scripts/.
import { loadConfig, type Config } from "./config.ts";
import { ConfigError } from "./errors.ts";

export function die(reason: string): never {
  process.stderr.write(`${reason}\n`);
  process.exit(1);
}

export const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "failed";

/** The config, or exit naming the bad variable (`prefix` names the command, e.g. "tracemark: "). */
export function configOrDie(prefix = "", options: { requireContract?: boolean } = {}): Config {
  try {
    return loadConfig(process.env, options);
  } catch (error) {
    if (error instanceof ConfigError) die(`${prefix}invalid configuration: ${error.message}`);
    throw error;
  }
}
