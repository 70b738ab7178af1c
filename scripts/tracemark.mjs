#!/usr/bin/env node
// The `tracemark` command (package.json "bin"). Plain JavaScript so that it runs as is; the
// command itself is TypeScript, which Node runs by stripping the types.
if (!process.features.typescript) {
  process.stderr.write(
    `tracemark: Node ${process.version} cannot run TypeScript; use Node >= 22.18 (or 23.6+), e.g. \`source scripts/use-node.sh\`\n`,
  );
  process.exit(2);
}
const { main } = await import("../src/verifier/cli.ts");
process.exitCode = await main(process.argv.slice(2));
