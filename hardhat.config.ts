import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";

// No network here but the npm registry: Hardhat cannot download solc, so it is pointed at the
// soljson.js that the pinned npm package `solc` ships. Hardhat needs the absolute path.
const require = createRequire(import.meta.url);
const soljson = require.resolve("solc/soljson.js");
const solcVersion = (require("solc/package.json") as { version: string }).version;

export default defineConfig({
  solidity: {
    version: solcVersion,
    path: soljson,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      evmVersion: "cancun",
    },
  },
  paths: {
    sources: "./contracts",
    tests: "./test/contracts",
  },
});
