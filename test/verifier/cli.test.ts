// `tracemark verify` as a user runs it: a child process, its output and its exit status.
import t from "tap";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tamperedReceipts, validReceipts } from "../support/receipt-fixtures.ts";

const BIN = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "tracemark-cli-"));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function tracemark(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function receiptFile(name: string, receipt: unknown): string {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(receipt));
  return file;
}

const evidence = validReceipts().find((f) => f.name === "evidence-file")!;
const notSealed = validReceipts().find((f) => f.name === "not-sealed")!;
const tampered = (name: string) => tamperedReceipts().find((v) => v.name === name)!;

t.test("exits 0 for a valid receipt checked offline, one ✓ line per step", async (t) => {
  const run = await tracemark("verify", evidence.file, "--offline");
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /✓ format/);
  t.match(run.stdout, /✓ auditPath/);
  t.match(run.stdout, /– contentHash +no content given/);
  t.match(run.stdout, /valid offline/);
  t.equal(run.stderr, "");
});

t.test("checks the content given with --content", async (t) => {
  const run = await tracemark("verify", evidence.file, "--offline", "--content", evidence.contentFile!);
  t.equal(run.code, 0);
  t.match(run.stdout, /✓ contentHash/);
});

t.test("exits 1 for a tampered receipt and names the step that failed and why", async (t) => {
  const vector = tampered("envelope-subject-altered");
  const run = await tracemark("verify", receiptFile(vector.name, vector.receipt), "--offline");
  t.equal(run.code, 1);
  t.match(run.stdout, /✗ recordHash +RECORD_HASH_MISMATCH: the envelope hashes to/);
  t.match(run.stdout, /invalid: recordHash failed \(RECORD_HASH_MISMATCH\)/);
});

t.test("exits 1 when the content is not the notarized content", async (t) => {
  const vector = tampered("content-altered");
  const run = await tracemark("verify", receiptFile(vector.name, vector.receipt), "--offline", "--content", vector.contentFile!);
  t.equal(run.code, 1);
  t.match(run.stdout, /✗ contentHash +CONTENT_HASH_MISMATCH/);
});

t.test("exits 1 for JSON that is not a receipt (the format step fails)", async (t) => {
  const run = await tracemark("verify", receiptFile("array", [1, 2]), "--offline");
  t.equal(run.code, 1);
  t.match(run.stdout, /✗ format +MALFORMED_RECEIPT/);
});

t.test("exits 3 for a receipt that is not sealed yet, and says pending", async (t) => {
  const run = await tracemark("verify", notSealed.file, "--offline");
  t.equal(run.code, 3);
  t.match(run.stdout, /^pending: /m);
});

t.test("prints the report as JSON with --json", async (t) => {
  const run = await tracemark("verify", evidence.file, "--offline", "--json");
  t.equal(run.code, 0);
  const report = JSON.parse(run.stdout) as { status: string; mode: string; steps: { step: string }[] };
  t.equal(report.status, "valid");
  t.equal(report.mode, "offline");
  t.same(report.steps.map((s) => s.step), ["format", "recordHash", "contentHash", "leafHash", "auditPath"]);
});

t.test("exits 2 with a one-line message for usage errors", async (t) => {
  const notJson = join(tmp, "not.json");
  writeFileSync(notJson, "{ not json");
  const cases: [string, string[], RegExp][] = [
    ["no command", [], /missing command/],
    ["an unknown command", ["check", evidence.file], /unknown command "check"/],
    ["no receipt", ["verify", "--offline"], /missing <receipt.json>/],
    ["neither --rpc nor --offline", ["verify", evidence.file], /give --rpc URL .* or --offline/],
    ["both --rpc and --offline", ["verify", evidence.file, "--offline", "--rpc", "http://127.0.0.1:8545"], /exclude each other/],
    ["an --rpc that is not http(s)", ["verify", evidence.file, "--rpc", "ws://127.0.0.1:8545"], /http\(s\) URL/],
    ["an unknown flag", ["verify", evidence.file, "--offline", "--fast"], /Unknown option '--fast'/],
    ["a missing receipt file", ["verify", join(tmp, "missing.json"), "--offline"], /cannot read receipt .*missing\.json \(ENOENT\)/],
    ["a receipt file that is not JSON", ["verify", notJson, "--offline"], /not\.json is not JSON/],
    ["a missing content file", ["verify", evidence.file, "--offline", "--content", join(tmp, "nope.bin")], /cannot read content/],
  ];
  const runs = await Promise.all(cases.map(([, args]) => tracemark(...args)));
  for (const [i, [what, , message]] of cases.entries()) {
    const run = runs[i]!;
    t.equal(run.code, 2, what);
    t.match(run.stderr, message, what);
    t.equal(run.stderr.trim().split("\n").length, 1, `${what}: one line`);
    t.equal(run.stdout, "", `${what}: nothing on stdout`);
  }
});

t.test("prints usage and exits 0 with --help", async (t) => {
  const run = await tracemark("--help");
  t.equal(run.code, 0);
  t.match(run.stdout, /Usage: tracemark verify <receipt.json>/);
  t.match(run.stdout, /Exit status: 0 valid, 1 invalid/);
});

t.test("exits 4, quickly, when the RPC given does not answer", async (t) => {
  // A loopback port nobody listens on: the connection is refused at once.
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 1));
    });
  });
  const start = Date.now();
  const run = await tracemark("verify", evidence.file, "--rpc", `http://127.0.0.1:${port}`);
  t.equal(run.code, 4, run.stdout);
  t.match(run.stdout, /✗ chainId +RPC_UNREACHABLE/);
  t.match(run.stdout, /^could not verify: /m);
  t.ok(Date.now() - start < 15_000, "does not retry forever");
});

t.test("checks several receipts in one run: a line each, and the worst outcome decides the exit", async (t) => {
  const good = validReceipts().filter((f) => f.name === "evidence-file" || f.name === "single-leaf");
  const allGood = await tracemark("verify", ...good.map((f) => f.file), "--offline");
  t.equal(allGood.code, 0, allGood.stderr);
  t.match(allGood.stdout, /2 receipts: 2 valid, 0 pending, 0 error, 0 invalid/);
  const bad = tamperedReceipts()[0]!;
  const mixed = await tracemark("verify", ...good.map((f) => f.file), receiptFile("mixed-bad", bad.receipt), "--offline");
  t.equal(mixed.code, 1);
  t.match(mixed.stdout, /^invalid .*mixed-bad\.json {2}\(/m);
  const withContent = await tracemark("verify", good[0]!.file, good[1]!.file, "--offline", "--content", good[0]!.file);
  t.equal(withContent.code, 2, "--content goes with one receipt");
});
