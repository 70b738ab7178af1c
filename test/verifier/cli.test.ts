// `tracemark verify` as a user runs it: a child process, its output and its exit status.
import t from "tap";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
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
const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const TRUST = { format: "tracemark.trust.v1", anchors: [{ chainId: 31337, contract: CONTRACT, deployBlock: 1, name: "Tracemark BatchAnchor" }] };
const trustFile = receiptFile("trust", TRUST);
const laxTrustFile = receiptFile("lax-trust", { ...TRUST, anchors: [{ ...TRUST.anchors[0], admin: "0x00" }] });
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

t.test("--offline never loads ethers (it starts twice as fast without it), even with trust code in the CLI", async (t) => {
  // A module hook that reports every resolution of the ethers package.
  const hooks = join(tmp, "hooks.mjs");
  writeFileSync(hooks, `export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes("/ethers/")) process.stderr.write("ethers loaded\\n"); return r; }`);
  const register = join(tmp, "register.mjs");
  writeFileSync(register, `import { register } from "node:module"; register(${JSON.stringify(`file://${hooks}`)});`);
  const run = await new Promise<Run>((resolve) => {
    execFile(process.execPath, ["--import", register, BIN, "verify", evidence.file, "--offline"], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
  t.equal(run.code, 0, run.stderr);
  t.notMatch(run.stderr, /ethers loaded/);
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
    ["--trust with --offline", ["verify", evidence.file, "--offline", "--trust", trustFile], /--trust and --contract go with --rpc/],
    ["--chain-id without --contract", ["verify", evidence.file, "--rpc", "http://127.0.0.1:9", "--chain-id", "1"], /--chain-id goes with --contract/],
    ["--contract that is not an address", ["verify", evidence.file, "--rpc", "http://127.0.0.1:9", "--contract", "0x1234"], /--contract must be an address/],
    ["a --chain-id that is not a number", ["verify", evidence.file, "--rpc", "http://127.0.0.1:9", "--contract", CONTRACT, "--chain-id", "main"], /--chain-id must be a positive integer/],
    ["a missing trust file", ["verify", evidence.file, "--rpc", "http://127.0.0.1:9", "--trust", join(tmp, "none.json")], /cannot read trust document .*none\.json \(ENOENT\)/],
    ["a trust file that is not JSON", ["verify", evidence.file, "--rpc", "http://127.0.0.1:9", "--trust", notJson], /trust document .*not\.json is not JSON/],
    ["a trust document with an unknown member", ["verify", evidence.file, "--rpc", "http://127.0.0.1:9", "--trust", laxTrustFile], /is not a trust document: \/anchors\/0\/admin is not a member/],
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
  t.match(run.stdout, /Usage: tracemark verify <receipt.json\|disclosure.json>/);
  t.match(run.stdout, /tracemark verify-bundle <bundle.zip\|folder>/, "and names the other commands");
  t.match(run.stdout, /Exit status: 0 valid, 1 invalid/);
  t.match(run.stdout, /5 untrusted \(no trusted contract was given\)/);
});

/** A port on loopback that nobody listens on: connections are refused at once. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 1));
    });
  });

t.test("fetches a --trust URL once and prints it on stderr, so that it can be saved and pinned", async (t) => {
  let requests = 0;
  const server = createHttpServer((_req, res) => {
    requests++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(TRUST));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}/.well-known/tracemark-trust.json`;
  const first = validReceipts().find((f) => f.name === "last-leaf")!;
  const run = await tracemark("verify", evidence.file, first.file, "--rpc", `http://127.0.0.1:${await closedPort()}`, "--trust", url);
  t.equal(run.code, 4, "the RPC is down: exit 4, but the trust was read first");
  t.equal(requests, 1, "fetched once for both receipts");
  t.match(run.stderr, /trust document from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/tracemark-trust\.json \(save it/);
  t.match(run.stderr, /"contract": "0x5FbDB2315678afecb367f032d93F642f64180aa3"/);
  const down = await tracemark("verify", evidence.file, "--rpc", "http://127.0.0.1:9", "--trust", `http://127.0.0.1:${await closedPort()}/trust.json`);
  t.equal(down.code, 2, "a trust URL that cannot be fetched is a usage error");
  t.match(down.stderr, /cannot fetch trust document http:\/\/127\.0\.0\.1:\d+\/trust\.json/);
});

t.test("says on stderr that --contract without --chain-id takes the chain id from the receipt", async (t) => {
  const run = await tracemark("verify", evidence.file, "--rpc", `http://127.0.0.1:${await closedPort()}`, "--contract", CONTRACT);
  t.match(run.stderr, /--contract without --chain-id: trusting 0x5FbDB2315678afecb367f032d93F642f64180aa3 on the chain each receipt names/);
  t.match(run.stdout, /✓ trust +contract 0x5FbDB2315678afecb367f032d93F642f64180aa3 on chain 31337 is trusted \(--contract, chain id 31337 read from the receipt/);
});

t.test("exits 4, quickly, when the RPC given does not answer", async (t) => {
  const port = await closedPort();
  const start = Date.now();
  const run = await tracemark("verify", evidence.file, "--rpc", `http://127.0.0.1:${port}`);
  t.equal(run.code, 4, run.stdout);
  t.match(run.stdout, /✗ chainId +RPC_UNREACHABLE/);
  t.match(run.stdout, /– trust +no trusted contract given/, "the trust step needs no chain");
  t.match(run.stdout, /^could not verify: /m);
  t.ok(Date.now() - start < 15_000, "does not retry forever");
});

t.test("checks several receipts in one run: a line each, and the worst outcome decides the exit", async (t) => {
  const good = validReceipts().filter((f) => f.name === "evidence-file" || f.name === "single-leaf");
  const allGood = await tracemark("verify", ...good.map((f) => f.file), "--offline");
  t.equal(allGood.code, 0, allGood.stderr);
  t.match(allGood.stdout, /2 receipts: 2 valid, 0 pending, 0 untrusted, 0 error, 0 invalid/);
  const bad = tamperedReceipts()[0]!;
  const mixed = await tracemark("verify", ...good.map((f) => f.file), receiptFile("mixed-bad", bad.receipt), "--offline");
  t.equal(mixed.code, 1);
  t.match(mixed.stdout, /^invalid .*mixed-bad\.json {2}\(/m);
  const withContent = await tracemark("verify", good[0]!.file, good[1]!.file, "--offline", "--content", good[0]!.file);
  t.equal(withContent.code, 2, "--content goes with one receipt");
});
