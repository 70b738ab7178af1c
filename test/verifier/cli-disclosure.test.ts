// `tracemark verify` on disclosure documents (docs/disclosure-v1.md): the frozen vectors, offline.
import t from "tap";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));
const vector = (name: string) => fileURLToPath(new URL(`../fixtures/disclosure/${name}.json`, import.meta.url));

function tracemark(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

t.test("prints the disclosed fields, the hidden count and every step of a valid document", async (t) => {
  const run = await tracemark("verify", vector("valid-price-and-items"), "--offline");
  t.equal(run.code, 0, run.stderr);
  for (const step of ["format", "recordHash", "contentHash", "leafHash", "auditPath", "disclosure"]) t.match(run.stdout, new RegExp(`✓ ${step}\\b`));
  t.match(run.stdout, 'total = "398.00"');
  t.match(run.stdout, "SZ2611A-0007");
  t.match(run.stdout, "hidden fields: 4");
  t.notMatch(run.stdout, "7781203344", "the hidden buyer is not printed");
});

t.test("exits 1 naming the code for a tampered document, and 2 for --content with one", async (t) => {
  const changed = await tracemark("verify", vector("tampered-changed-value"), "--offline");
  t.equal(changed.code, 1);
  t.match(changed.stdout, /✗ disclosure\s+DISCLOSURE_DIGEST_UNKNOWN/);
  t.notMatch(changed.stdout, "disclosed fields");
  const many = await tracemark("verify", vector("valid-nothing-disclosed"), vector("tampered-duplicate-field-name"), "--offline");
  t.equal(many.code, 1, "several documents: the worst decides");
  t.match(many.stdout, /invalid\s+\S+tampered-duplicate-field-name\.json\s+\(disclosure: DISCLOSURE_DUPLICATE/);
  const content = await tracemark("verify", vector("valid-price-and-items"), "--offline", "--content", vector("index"));
  t.equal(content.code, 2);
  t.match(content.stderr, "carries its own content");
});
