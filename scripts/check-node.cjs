// Runs as npm's preinstall hook, under whatever Node runs npm. Everything here (the service, the
// scripts, the `tracemark` command) is TypeScript that Node runs by stripping the types, which
// Node does without a flag since 22.18 (and 23.6): package.json "engines". Under Node 20 npm also
// skips Hardhat's native EDR package and writes a lockfile that `npm ci` rejects later, so stop
// before anything is installed.
const [major, minor] = process.versions.node.split(".").map(Number);
const runsTypeScript = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
if (!runsTypeScript) {
  console.error(
    `Tracemark needs Node >= 22.18, but npm is running under Node ${process.versions.node}.\n` +
      "Run:  source scripts/use-node.sh   (installs Node 24 from the npm registry into .node/ and puts it first on PATH)\n" +
      "then run the same npm command again.",
  );
  process.exit(1);
}
