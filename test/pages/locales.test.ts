// Every string of the pages comes from both catalogues: a key in one and not the other fails, and
// so does a key that templates or src/pages code use and neither catalogue has.
import t from "tap";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHAIN_STEPS, OFFLINE_STEPS } from "../../src/merkle/report.ts";
import { CATALOGUES, LOCALES, localeOf, translator } from "../../src/pages/locale.ts";

const PAGES = fileURLToPath(new URL("../../src/pages/", import.meta.url));
/** The catalogue key prefixes; a page adding its own prefix lists it here. */
const KEY_PREFIXES = ["site", "layout", "scan", "verify", "scans", "claim", "notarize", "receipt", "check", "cases", "liveClaims", "qualification"];
const KEY = new RegExp(`["'\`]((?:${KEY_PREFIXES.join("|")})\\.[A-Za-z0-9_.-]+)["'\`]`, "g");

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (/\.(eta|ts)$/.test(entry.name)) out.push(path);
  }
  return out;
}

t.test("both catalogues have the same keys", async (t) => {
  const zh = new Set(Object.keys(CATALOGUES["zh-CN"]));
  const en = new Set(Object.keys(CATALOGUES.en));
  t.same([...zh].filter((k) => !en.has(k)), [], "keys in zh-CN.json missing from en.json");
  t.same([...en].filter((k) => !zh.has(k)), [], "keys in en.json missing from zh-CN.json");
});

t.test("every key the templates and page code use is in both catalogues", async (t) => {
  const used = new Map<string, string>();
  for (const file of await sources(PAGES)) {
    for (const match of (await readFile(file, "utf8")).matchAll(KEY)) {
      // Asset names ("scan.js", "site.css") look like keys; they are not.
      if (!/\.(js|css)$/.test(match[1]!)) used.set(match[1]!, file.slice(PAGES.length));
    }
  }
  t.ok(used.size > 40, `found ${used.size} keys in use`);
  for (const locale of LOCALES) {
    const missing = [...used].filter(([key]) => CATALOGUES[locale][key] === undefined).map(([key, file]) => `${key} (${file})`);
    t.same(missing, [], `keys used but missing from ${locale}.json`);
  }
});

t.test("the browser verifier can name every verification step in both languages", async (t) => {
  for (const locale of LOCALES) {
    for (const step of [...OFFLINE_STEPS, ...CHAIN_STEPS]) t.ok(CATALOGUES[locale][`verify.step.${step}`], `${locale}: verify.step.${step}`);
  }
});

t.test("placeholders are the same in both languages", async (t) => {
  const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(CATALOGUES.en)) t.same(names(CATALOGUES["zh-CN"][key] ?? ""), names(CATALOGUES.en[key]!), key);
});

t.test("a translator fills placeholders and refuses an unknown key", async (t) => {
  t.equal(translator("en")("scan.server.anchored", { block: 7 }), "on the blockchain in block 7.");
  t.throws(() => translator("en")("scan.nope"), /no message "scan.nope"/);
});

t.test("Accept-Language tags map to the locales the pages speak", async (t) => {
  t.equal(localeOf("en-GB"), "en");
  t.equal(localeOf("zh-Hans-CN"), "zh-CN");
  t.equal(localeOf("ZH-tw"), "zh-CN");
  t.equal(localeOf("fr"), undefined);
});
