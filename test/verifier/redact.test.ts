import t from "tap";
import { redact, safeMessage, scrubberFor } from "../../src/verifier/redact.ts";

const rpc = "https://rpcuser:pa55word-x@mainnet.example.io:8443/v3/0123456789abcdef?apiKey=qk-0123456789";

t.test("redact() keeps the scheme and the host only", async (t) => {
  t.equal(redact(rpc), "https://mainnet.example.io:8443");
  t.equal(redact("http://127.0.0.1:8545"), "http://127.0.0.1:8545");
  t.equal(redact("not a url"), "<invalid URL>");
});

t.test("the scrubber rewrites an ethers error message that copies the URL", async (t) => {
  const scrub = scrubberFor([{ url: rpc, kind: "rpc" }]);
  const ethersMessage = `server response 401 Unauthorized (request={  }, response={  }, error=null, info={ "requestUrl": "${rpc}", "responseBody": "invalid project id 0123456789abcdef", "responseStatus": "401 Unauthorized" }, code=SERVER_ERROR, version=6.17.0)`;
  const out = scrub(ethersMessage);
  t.match(out, /"requestUrl": "https:\/\/mainnet\.example\.io:8443"/, "the URL becomes scheme and host");
  t.match(out, /invalid project id \[redacted\]/, "a key echoed on its own is hidden too");
  for (const secret of ["0123456789abcdef", "qk-0123456789", "pa55word-x", "rpcuser"]) t.notOk(out.includes(secret), `no ${secret.length}-character secret part is left`);
});

t.test("the scrubber hides a database URL's password but keeps its user and database name", async (t) => {
  const scrub = scrubberFor([{ url: "postgres://tracemark:db-pa55word@db.internal:5432/tracemark", kind: "database" }]);
  t.equal(scrub("cannot connect to postgres://tracemark:db-pa55word@db.internal:5432/tracemark"), "cannot connect to postgres://db.internal:5432");
  t.equal(scrub("password db-pa55word rejected for tracemark"), "password [redacted] rejected for tracemark");
});

t.test("the scrubber drops the userinfo of any URL, known or not, and leaves other text alone", async (t) => {
  const scrub = scrubberFor([undefined]);
  t.equal(scrub("fetch https://someone:hunter2@example.org/x failed"), "fetch https://example.org/x failed");
  t.equal(scrub("batch 3 sealed: 12 records, root 9f86d081"), "batch 3 sealed: 12 records, root 9f86d081");
});

t.test("safeMessage() prefers ethers' short message and keeps one line", async (t) => {
  const error = Object.assign(new Error(`server response 502 (info={ "requestUrl": "${rpc}" })\nmore`), { shortMessage: "server response 502 Bad Gateway" });
  t.equal(safeMessage(error, scrubberFor([{ url: rpc, kind: "rpc" }])), "server response 502 Bad Gateway");
  t.equal(safeMessage(new Error(`to ${rpc}\nstack`), scrubberFor([{ url: rpc, kind: "rpc" }])), "to https://mainnet.example.io:8443");
});
