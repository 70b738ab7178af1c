// Shared by the thin scripts in this folder: load the config or exit with a one-line reason.
import { loadConfig, type Config } from "../src/config.ts";
import { ConfigError } from "../src/errors.ts";

export function die(reason: string): never {
  process.stderr.write(`${reason}\n`);
  process.exit(1);
}

export function configOrDie(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) die(`invalid configuration: ${error.message}`);
    throw error;
  }
}

export const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "failed";
