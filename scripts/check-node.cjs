// Runs as npm's preinstall hook, under whatever Node runs npm. Hardhat 3's EDR runtime and
// kysely 0.29 need Node >= 22.13; under Node 20 npm also skips EDR's native package and writes a
// lockfile that `npm ci` rejects later, so stop before anything is installed.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(
    `Tracemark needs Node >= 22.13, but npm is running under Node ${process.versions.node}.\n` +
      "Run:  source scripts/use-node.sh   (installs Node 24 from the npm registry into .node/ and puts it first on PATH)\n" +
      "then run the same npm command again.",
  );
  process.exit(1);
}
