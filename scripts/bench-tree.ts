// npm run bench's tree part, on its own: `node scripts/bench-tree.ts`.
import { benchTree } from "./bench/tree.ts";

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const result = await benchTree();
console.log(`raw SHA-256 of a 65-byte input, Buffer digest: ${fmt(result.rawSha256PerSec)} hashes/s`);
console.log(`raw SHA-256 of a 65-byte input, string digest (hash only): ${fmt(result.hashOnlyPerSec)} hashes/s`);
for (const row of result.trees) {
  console.log(
    `tree of ${fmt(row.leaves)} leaves (leaf hashing included): ${fmt(row.leavesPerSec)} leaves/s ` +
      `in ${row.ms.toFixed(1)} ms; ratio ${row.ratio.toFixed(3)} to the Buffer-digest rate (target >= 0.4), ` +
      `${row.ratioHashOnly.toFixed(3)} to the hash-only rate (0.5 = no overhead at all)`,
  );
}
console.log(`audit paths of all 10,000 leaves: ${result.auditPaths10kMs.toFixed(1)} ms`);
