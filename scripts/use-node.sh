# Source this file: `source scripts/use-node.sh`.
# Makes a Node that runs TypeScript as is (22.18+ or 23.6+; package.json "engines") the first
# `node` on PATH. When the system's Node is older, installs the
# npm package node@24 (a real Node binary published on the npm registry) into the git-ignored
# folder .node/ of this checkout. npm itself then runs under that Node, which matters: under
# Node 20, npm skips Hardhat's native EDR package and writes a lockfile `npm ci` rejects.
_tm_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_tm_node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>23||(a===23&&b>=6)||(a===22&&b>=18)?0:1)'
}
if [ -x "$_tm_root/.node/node_modules/.bin/node" ]; then
  export PATH="$_tm_root/.node/node_modules/.bin:$PATH"
fi
if ! _tm_node_ok; then
  echo "use-node: system Node is $(node --version 2>/dev/null || echo 'missing'); installing node@24 into .node/ ..." >&2
  npm install --prefix "$_tm_root/.node" --no-save --no-package-lock --no-audit --no-fund --loglevel=error node@24 >&2 ||
    { echo "use-node: could not install node@24 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  export PATH="$_tm_root/.node/node_modules/.bin:$PATH"
  _tm_node_ok || { echo "use-node: node@24 installed but does not run" >&2; return 1 2>/dev/null || exit 1; }
fi
echo "use-node: using Node $(node --version) from $(command -v node)" >&2
unset -f _tm_node_ok
unset _tm_root
