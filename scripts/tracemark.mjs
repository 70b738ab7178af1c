#!/usr/bin/env node
// The `tracemark` command (package.json "bin"). Plain JavaScript so that it runs as is; the
// command itself is TypeScript, which Node runs by stripping the types (unflagged since Node
// 22.18 and 23.6: the minimum in package.json "engines").
if (!process.features.typescript) {
  process.stderr.write(
    `tracemark: Node ${process.version} cannot run TypeScript; use Node >= 22.18, e.g. \`source scripts/use-node.sh\`\n`,
  );
  process.exit(2);
}
const argv = process.argv.slice(2);
// `tracemark import …`, `tracemark stream …` and `tracemark verify-bundle …` have modules of their
// own (src/import/, src/stream-watch/, src/bundle/); anything else is `verify`, whose
// --offline path stays free of the import's dependencies.
if (argv[0] === "import") {
  const { main: importMain } = await import("../src/import/cli.ts");
  process.exit(await importMain(argv.slice(1)));
}
if (argv[0] === "stream") {
  const { main: streamMain } = await import("../src/stream-watch/cli.ts");
  process.exit(await streamMain(argv.slice(1)));
}
const { main } = argv[0] === "verify-bundle" ? await import("../src/bundle/verify-bundle.ts") : await import("../src/verifier/cli.ts");
const { scrubberFor } = await import("../src/verifier/redact.ts");
// An RPC URL given on the command line often carries its provider's API key in the path or the
// query; what the command prints (reports, errors, CI logs) names only its scheme and host.
const rpcUrls = argv.flatMap((arg, i) => (arg === "--rpc" ? [argv[i + 1] ?? ""] : arg.startsWith("--rpc=") ? [arg.slice(6)] : []));
const scrub = scrubberFor(rpcUrls.map((url) => ({ url, kind: "rpc" })));
process.exitCode = await main(argv[0] === "verify-bundle" ? argv.slice(1) : argv, {
  out: (line) => void process.stdout.write(`${scrub(line)}\n`),
  err: (line) => void process.stderr.write(`${scrub(line)}\n`),
});
