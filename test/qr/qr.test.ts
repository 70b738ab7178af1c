// QR codes decode back to the exact canonical URI with independent decoders (jsQR over pngjs for
// PNG; the SVG's own module grid, painted and given to jsQR), and a lot's ZIP reads back.
import t from "tap";
import { pinHmac } from "../../src/trace/pins.ts";
import { qrModules } from "../../src/qr/render.ts";
import { bearer } from "../support/app.ts";
import { gtinUnder, PUBLIC_BASE_URL } from "../support/trace.ts";
import { catalogue, PIN_HMAC_KEY, PREFIX } from "../resolver/support.ts";
import { decodePng, decodeSvg, svgGrid } from "./decode.ts";
import { readZip } from "../support/zip.ts";

t.test("QR codes", async (t) => {
  const c = await catalogue({ pins: true, items: 3 });
  t.teardown(c.h.close);
  const { h } = c;
  const qr = (query: string) => h.app.inject({ method: "GET", url: `/v1/qr?${query}` });
  const uriOf = (uri: string) => `uri=${encodeURIComponent(uri)}`;

  await t.test("a PNG of a product, a lot and an item decodes to its canonical URI, error correction M by default", async (t) => {
    for (const uri of [c.productUri, c.lotUri, c.itemUri(c.serials[0]!)]) {
      const res = await qr(uriOf(uri));
      t.equal(res.statusCode, 200, `${uri}: 200`);
      t.equal(res.headers["content-type"], "image/png");
      t.equal(res.headers["tracemark-qr-uri"], uri);
      t.match(res.headers["cache-control"], /public/, "cacheable");
      const png = decodePng(res.rawPayload);
      t.equal(png.text, uri, "jsQR reads exactly the URI back");
      const modules = qrModules(uri, "M").size;
      t.equal(png.width, (modules + 8) * 8, "8 px a module by default, 4-module quiet zone each side");
    }
  });

  await t.test("a URI written another way gets the code of its canonical spelling", async (t) => {
    const written = `HTTPS://TRACE.EXAMPLE.COM/01/${c.gtin14}/10/LJ%2f2026%2DA?17=271231&11=260101&utm=x`;
    const canonical = `${c.lotUri}?11=260101&17=271231`;
    const res = await qr(`${uriOf(written)}&format=svg`);
    t.equal(res.statusCode, 200, res.body.slice(0, 200));
    t.equal(res.headers["tracemark-qr-uri"], canonical, "scheme and host in lower case, percent-encoding normalised, data attributes sorted, other parameters dropped");
    t.equal(decodeSvg(res.body), canonical, "the SVG decodes to it");
  });

  await t.test("SVG and PNG draw the same symbol, with Q on request, sized by width or by module", async (t) => {
    const uri = c.itemUri(c.serials[1]!);
    for (const ecc of ["M", "Q"] as const) {
      const svg = (await qr(`${uriOf(uri)}&format=svg&ecc=${ecc}`)).body;
      const grid = svgGrid(svg);
      const expected = qrModules(uri, ecc);
      t.equal(grid.size, expected.size + 8, `${ecc}: the SVG is the symbol plus a 4-module quiet zone`);
      let same = true;
      for (let row = 0; row < grid.size; row++) {
        for (let column = 0; column < grid.size; column++) {
          const inside = row >= 4 && column >= 4 && row < expected.size + 4 && column < expected.size + 4;
          if (grid.dark[row]![column] !== (inside && expected.dark(row - 4, column - 4))) same = false;
        }
      }
      t.ok(same, `${ecc}: every module of the SVG is the symbol's`);
      t.equal(decodeSvg(svg), uri, `${ecc}: the SVG decodes to the URI`);
      const png = decodePng((await qr(`${uriOf(uri)}&ecc=${ecc}&module=4`)).rawPayload);
      t.equal(png.text, uri, `${ecc}: the PNG decodes to the URI`);
      t.equal(png.width, grid.size * 4, `${ecc}: module=4 draws 4 px a module`);
      let quiet = true;
      for (let y = 0; y < 16; y++) for (let x = 0; x < png.width; x++) if (png.pixel(x, y) !== 255) quiet = false;
      t.ok(quiet, `${ecc}: the top 4 modules of the PNG are white`);
    }
    t.not(qrModules(uri, "M").size === qrModules(uri, "Q").size && svgGrid((await qr(`${uriOf(uri)}&format=svg&ecc=M`)).body).dark.join() === svgGrid((await qr(`${uriOf(uri)}&format=svg&ecc=Q`)).body).dark.join(), true, "M and Q are different symbols");
    const sized = decodePng((await qr(`${uriOf(uri)}&size=300`)).rawPayload);
    t.equal(sized.width, 300, "size=300: 300 px wide");
    t.equal(sized.text, uri);
  });

  await t.test("refuses what no code should be printed for, naming query fields", async (t) => {
    const cases: Array<[string, number, string]> = [
      [uriOf("https://elsewhere.example/01/09520123000424"), 400, "query.uri"],
      [uriOf(`${PUBLIC_BASE_URL}/products/42`), 400, "query.uri"],
      [uriOf(`${PUBLIC_BASE_URL}/01/09520123000425`), 400, "query.uri"],
      [uriOf(`${PUBLIC_BASE_URL}/01/0${gtinUnder(PREFIX, 999)}`), 404, "query.uri"],
      [uriOf(`${c.productUri}/21/NOTISSUED`), 404, "query.uri"],
      [`${uriOf(c.productUri)}&size=300&module=4`, 400, "query.size"],
      [`${uriOf(c.productUri)}&size=5000`, 400, "query.size"],
      [`${uriOf(c.productUri)}&module=0`, 400, "query.module"],
      [`${uriOf(c.productUri)}&ecc=H`, 400, "query.ecc"],
      [`${uriOf(c.productUri)}&format=gif`, 400, "query.format"],
      ["", 400, "query.uri"],
    ];
    for (const [query, status, field] of cases) {
      const res = await qr(query);
      t.equal(res.statusCode, status, `${query}: ${status}`);
      t.match(res.json(), { error: { field } }, `${query}: names ${field}`);
    }
  });

  await t.test("a lot's ZIP holds every item's SVG and items.csv, and the PINs once", async (t) => {
    const zipUrl = `/v1/products/${c.gtin13}/lots/${encodeURIComponent(c.lot)}/qr.zip`;
    const plain = await h.app.inject({ method: "GET", url: zipUrl, headers: bearer(c.key) });
    t.equal(plain.statusCode, 200, plain.statusCode === 200 ? "" : plain.body);
    t.equal(plain.headers["content-type"], "application/zip");
    t.equal(plain.headers["tracemark-pins"], "none");
    const files = await readZip(plain.rawPayload);
    t.same([...files.keys()].sort(), [...c.serials.map((s) => `qr/${s}.svg`), "items.csv"].sort(), "one SVG per item, named by serial, and items.csv");
    for (const serial of c.serials) t.equal(decodeSvg(files.get(`qr/${serial}.svg`)!.toString()), c.itemUri(serial), `qr/${serial}.svg decodes to the item's URI`);
    const rows = files.get("items.csv")!.toString().trim().split("\r\n");
    t.equal(rows[0], "serial,uri", "no PINs unless asked");
    t.same(rows.slice(1).sort(), c.serials.map((s) => `${s},${c.itemUri(s)}`).sort());

    const withPins = await h.app.inject({ method: "GET", url: `${zipUrl}?pins=1`, headers: bearer(c.key) });
    t.equal(withPins.statusCode, 200);
    t.equal(withPins.headers["tracemark-pins"], "included");
    const pinRows = (await readZip(withPins.rawPayload)).get("items.csv")!.toString().trim().split("\r\n");
    t.equal(pinRows[0], "serial,uri,pin");
    const stored = await h.database.db.selectFrom("items").select(["serial", "pin_hmac"]).where("job_id", "=", c.jobId).execute();
    for (const row of pinRows.slice(1)) {
      const [serial, , pin] = row.split(",");
      t.equal(pinHmac(Buffer.from(PIN_HMAC_KEY, "hex"), c.gtin14, serial!, pin!), stored.find((s) => s.serial === serial)?.pin_hmac, `${serial}: the PIN is the one whose HMAC is stored`);
    }
    const again = await h.app.inject({ method: "GET", url: `${zipUrl}?pins=1`, headers: bearer(c.key) });
    t.equal(again.statusCode, 410, "the PINs are handed out once");
    t.match(again.json(), { error: { code: "GONE", field: "query.pins" } });
    const jobView = (await h.app.inject({ method: "GET", url: `/v1/jobs/${c.jobId}`, headers: bearer(c.key) })).json();
    t.equal(jobView.pins, "gone", "and the job says they are gone");
  });
});
