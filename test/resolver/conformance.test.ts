// The GS1-Conformant resolver checklist (Resolver standard 1.2, as kept by GS1's resolver test
// suite in ../shared/gs1/resolver-conformance-1.2.txt), walked line by line: each SHALL/SHOULD
// line is a sub-test of its own, named after the line, and a line without an assertion here
// fails the test. HTTPS and compressed URIs are out of scope (README "GS1 resolver"): their
// lines check that the README and the resolver description say so.
import { readFileSync } from "node:fs";
import t, { type Test } from "tap";
import { GS1_LINK_TYPES, GS1_VOC } from "../../src/resolver/vocabulary.ts";
import { bearer } from "../support/app.ts";
import { readSharedGs1Json, readSharedGs1 } from "../support/shared-gs1.ts";
import { gtinUnder, PUBLIC_BASE_URL } from "../support/trace.ts";
import { catalogue, PREFIX } from "./support.ts";

type Linkset = { linkset: Array<Record<string, unknown> & { anchor: string; itemDescription: string }> };
type LinkTarget = { href: string; title: string; type?: string; hreflang?: string[] };

const LINKSET = "application/linkset+json";
const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const CHECKLIST = readSharedGs1("resolver-conformance-1.2.txt").split("\n").map((l) => l.trim()).filter(Boolean);

/** The link targets of a linkset context, by link-type URI. */
const linksOf = (context: Record<string, unknown>) =>
  Object.entries(context).filter(([key]) => key !== "anchor" && key !== "itemDescription") as Array<[string, LinkTarget[]]>;

t.test("the GS1-Conformant resolver checklist, line by line", async (t) => {
  const c = await catalogue();
  t.teardown(c.h.close);
  const { h } = c;
  const [serial] = c.serials as [string];
  const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: "GET", url, headers });
  const path = (uri: string) => uri.slice(PUBLIC_BASE_URL.length);
  const productPath = path(c.productUri);
  const lotPath = path(c.lotUri);
  const itemPath = path(c.itemUri(serial));
  const ALL_PATHS = [productPath, lotPath, itemPath, `${lotPath}/21/${serial}`];

  // A merchant's own links: product information in French and in English, and one of its own link type.
  for (const link of [
    { linkType: "gs1:pip", href: "https://tea.example/fr/longjing", title: "Fiche produit", type: "text/html", hreflang: ["fr"] },
    { linkType: "gs1:pip", href: "https://tea.example/en/longjing", title: "Product page", type: "text/html", hreflang: ["en"] },
    { linkType: "brewingGuide", href: "https://tea.example/brew", title: "How to brew", type: "text/html" },
  ]) {
    const res = await h.app.inject({ method: "POST", url: `/v1/products/${c.gtin13}/links`, headers: bearer(c.key), payload: link });
    t.equal(res.statusCode, 201, `the merchant adds ${link.linkType} ${link.hreflang ?? ""}: ${res.statusCode === 201 ? "" : res.body}`);
  }
  const linksetOf = async (p: string) => (await get(`${p}?linkType=linkset`)).json() as Linkset;

  const checks: Array<[string, (t: Test) => Promise<void>]> = [
    [
      "SHALL support HTTP 1.1 (or higher) GET, HEAD and OPTIONS requests.",
      async (t) => {
        for (const p of ALL_PATHS) {
          const got = await get(p);
          t.equal(got.statusCode, 307, `GET ${p} redirects`);
          const head = await h.app.inject({ method: "HEAD", url: p });
          t.equal(head.statusCode, 307, `HEAD ${p} answers as GET`);
          t.equal(head.headers["location"], got.headers["location"], `HEAD ${p} has GET's Location`);
          t.equal(head.body, "", "HEAD has no body");
          const options = await h.app.inject({ method: "OPTIONS", url: p, headers: { origin: "https://shop.example", "access-control-request-method": "GET" } });
          t.equal(options.statusCode, 204, `OPTIONS ${p}: 204`);
          t.match(options.headers["access-control-allow-methods"], /GET.*HEAD.*OPTIONS/, "OPTIONS lists GET, HEAD and OPTIONS");
        }
        const plain = await h.app.inject({ method: "OPTIONS", url: productPath });
        t.ok(plain.statusCode >= 200 && plain.statusCode < 300, `OPTIONS without CORS headers: ${plain.statusCode}`);
      },
    ],
    [
      "SHALL support HTTP Over TLS (HTTPS)",
      async (t) => {
        t.match(README, /HTTPS[^\n]*terminated in front/i, "README: HTTPS is terminated in front of the service");
        const res = await get(productPath);
        t.match(res.headers["location"], /^https:\/\//, "redirects lead to PUBLIC_BASE_URL, an https URL");
        t.match(res.headers["link"], /^<https:\/\//, "the linkset is named by its https URL");
      },
    ],
    [
      "SHALL support CORS",
      async (t) => {
        for (const p of [productPath, `${productPath}?linkType=linkset`, "/.well-known/gs1resolver"]) {
          const res = await get(p, { origin: "https://scanner.example" });
          t.equal(res.headers["access-control-allow-origin"], "*", `${p}: any origin may read it`);
        }
        const res = await get(productPath, { origin: "https://scanner.example" });
        t.match(String(res.headers["access-control-expose-headers"]).toLowerCase(), /link.*location|location.*link/, "Link and Location are readable by scripts");
        t.match(res.headers["access-control-allow-methods"], /GET.*HEAD.*OPTIONS/, "every answer names the methods");
      },
    ],
    [
      "SHALL be able to decompress a URI",
      async (t) => {
        t.match(README, /compressed[^\n]*not supported/i, "README: compressed GS1 Digital Link URIs are not supported");
        const description = (await get("/.well-known/gs1resolver")).json();
        t.equal(description.supportsCompressedUris, false, "the description file says so");
      },
    ],
    [
      "If handling a compressed request URI, it SHALL expose the uncompressed URI",
      async (t) => {
        // A compressed URI (GS1 DL Compression) has no /01/ path: nothing here answers it as if it were known.
        const res = await get("/AQnYUc1gmIA");
        t.equal(res.statusCode, 404, "a compressed URI is not handled (404), so there is no uncompressed URI to expose");
        t.notOk(String(res.headers["link"] ?? "").includes("owl:sameAs"), "and no owl:sameAs is claimed");
      },
    ],
    [
      "SHALL extract and syntactically validate the URI",
      async (t) => {
        const wrongCheckDigit = productPath.slice(0, -1) + String((Number(productPath.at(-1)) + 1) % 10);
        const cases: Array<[string, string]> = [
          [wrongCheckDigit, "params.gtin"],
          ["/01/123", "params.gtin"],
          [`${productPath}/10/${"L".repeat(21)}`, "params.lot"],
          [`${productPath}/21/${"S".repeat(21)}`, "params.serial"],
          [`${productPath}/21/a%00b`, "params.serial"],
          [`${lotPath}?17=991399`, "query.17"],
          [`${productPath}?10=ABC`, "query.10"],
          [`${productPath}?999=1`, "query.999"],
        ];
        for (const [url, field] of cases) {
          const res = await get(url);
          t.equal(res.statusCode, 400, `${url}: 400`);
          t.match(res.json(), { error: { code: "VALIDATION_FAILED", field } }, `${url}: names ${field}`);
        }
      },
    ],
    [
      "SHALL NOT use a 200 OK response code with a resource that indicates an error condition",
      async (t) => {
        const errors: Array<[string, number, string]> = [
          [path(`${PUBLIC_BASE_URL}/01/0${gtinUnder(PREFIX, 999)}`), 404, "params.gtin"],
          [`${productPath}/10/NOLOT`, 404, "params.lot"],
          [`${productPath}/21/NOSUCHSERIAL`, 404, "params.serial"],
          [`${path(c.productUri)}/10/OTHER/21/${serial}`, 404, "params.serial"],
          [`${productPath}?linkType=gs1:epil`, 404, "query.linkType"],
          ["/01/123", 400, "params.gtin"],
        ];
        for (const [url, status, field] of errors) {
          const res = await get(url);
          t.equal(res.statusCode, status, `${url}: ${status}, not 200`);
          t.match(res.json(), { error: { field } }, `${url}: the error shape, naming ${field}`);
          t.equal(res.headers["cache-control"], "no-store", `${url}: an error is not cached`);
        }
      },
    ],
    [
      "SHALL respond to a query parameter of linkType set to all",
      async (t) => {
        for (const [query, headers] of [["?linkType=all", {}], ["?linkType=linkset", {}], ["", { accept: LINKSET }]] as const) {
          const res = await get(`${itemPath}${query}`, headers);
          t.equal(res.statusCode, 200, `${query || "Accept: " + LINKSET}: 200`);
          t.equal(res.headers["content-type"], LINKSET, "as RFC 9264 application/linkset+json");
          const body = res.json() as Linkset;
          t.same(body.linkset.map((l) => l.anchor), [c.productUri, c.lotUri, c.itemUri(serial)], "every level up to the primary key: product, lot, item");
          t.ok(body.linkset.every((l) => !l.anchor.includes("?") && l.anchor.startsWith(PUBLIC_BASE_URL)), "anchors are uncompressed canonical Digital Link URIs");
        }
        const asJson = await get(`${lotPath}?linkType=all`, { accept: "application/json" });
        t.equal(asJson.headers["content-type"], "application/json", "the list is also available as JSON for a client that asks for it");
        t.same((asJson.json() as Linkset).linkset.map((l) => l.anchor), [c.productUri, c.lotUri], "a lot's linkset: product and lot");
        // The model linkset of GS1's test suite: the same shape, context by context.
        const model = readSharedGs1Json("resolver-model-linkset.json") as Linkset;
        const ours = await linksetOf(itemPath);
        for (const shape of [model, ours]) {
          for (const context of shape.linkset) {
            t.type(context.anchor, "string");
            for (const [, targets] of linksOf(context)) t.ok(targets.every((l) => typeof l.href === "string" && typeof l.title === "string"), `${context.anchor}: links are { href, title, … }`);
          }
        }
      },
    ],
    [
      "SHOULD expose link to the linkset in an HTTP Link header, even when redirecting.",
      async (t) => {
        for (const p of ALL_PATHS) {
          for (const query of ["", "?linkType=gs1:traceability", "?linkType=linkset"]) {
            const res = await get(`${p}${query}`);
            const match = /^<([^>]+)>; rel="linkset"; type="application\/linkset\+json"/.exec(String(res.headers["link"]));
            t.ok(match, `${p}${query} (${res.statusCode}): Link rel="linkset"`);
            if (match) t.equal((await get(path(match[1]!))).statusCode, 200, "the Link header's target is the linkset");
          }
        }
      },
    ],
    [
      "SHALL recognise one available link as the default for any given request URI.",
      async (t) => {
        for (const p of ALL_PATHS) {
          const defaults = (await linksetOf(p)).linkset.flatMap((context) => (context[`${GS1_VOC}defaultLink`] as LinkTarget[] | undefined) ?? []);
          t.equal(defaults.length, 1, `${p}: exactly one gs1:defaultLink`);
          t.equal((await get(p)).headers["location"], defaults[0]?.href, `${p}: a plain request goes there`);
        }
      },
    ],
    [
      "All links exposed SHALL include the target URL, the link relationship type (the link type) and a human-readable title",
      async (t) => {
        for (const p of ALL_PATHS) {
          for (const context of (await linksetOf(p)).linkset) {
            t.ok(context.itemDescription.length > 0, `${context.anchor}: an itemDescription`);
            for (const [type, targets] of linksOf(context)) {
              t.match(type, /^https?:\/\//, `${type}: the link type is a URI`);
              for (const link of targets) {
                t.doesNotThrow(() => new URL(link.href), `${type}: ${link.href} is an absolute URL`);
                t.ok(link.title.trim().length > 0, `${type}: "${link.title}" is a title`);
              }
            }
          }
        }
      },
    ],
    [
      "SHALL redirect to the default link unless there is information in the request",
      async (t) => {
        const defaultHref = ((await linksetOf(productPath)).linkset[0]![`${GS1_VOC}defaultLink`] as LinkTarget[])[0]!.href;
        t.equal((await get(productPath)).headers["location"], defaultHref, "nothing to match: the default link");
        t.equal((await get(productPath, { "accept-language": "de" })).headers["location"], defaultHref, "a language no link has: still the default");
        t.equal((await get(`${productPath}?linkType=gs1:pip`, { "accept-language": "fr-CH, en;q=0.5" })).headers["location"], "https://tea.example/fr/longjing", "Accept-Language fr-CH matches hreflang fr");
        t.equal((await get(`${productPath}?linkType=gs1:pip`, { "accept-language": "en-GB" })).headers["location"], "https://tea.example/en/longjing", "en-GB matches en");
        t.equal((await get(`${productPath}?linkType=gs1:pip`, { accept: "text/html" })).headers["location"], "https://tea.example/fr/longjing", "text/html: a merchant page, in the order they were added");
        t.equal((await get(`${productPath}?linkType=gs1:pip`, { accept: "application/json" })).headers["location"], `${PUBLIC_BASE_URL}/v1/trace?uri=${encodeURIComponent(c.productUri)}`, "application/json: Tracemark's JSON");
        t.equal((await get(productPath, { accept: LINKSET })).statusCode, 200, "Accept: application/linkset+json: the linkset rather than a redirect");
      },
    ],
    [
      "SHALL redirect to the requested linkType if available",
      async (t) => {
        for (const p of ALL_PATHS) {
          const available = new Map<string, string[]>();
          for (const context of (await linksetOf(p)).linkset) for (const [type, targets] of linksOf(context)) available.set(type, [...(available.get(type) ?? []), ...targets.map((l) => l.href)]);
          for (const [type, hrefs] of available) {
            const short = type.startsWith(GS1_VOC) ? `gs1:${type.slice(GS1_VOC.length)}` : type;
            for (const spelling of new Set([short, type])) {
              const res = await get(`${p}?linkType=${encodeURIComponent(spelling)}`);
              t.equal(res.statusCode, 307, `${p} linkType=${spelling}: 307`);
              t.ok(hrefs.includes(String(res.headers["location"])), `${p} linkType=${spelling}: to one of its links`);
            }
          }
          t.ok(available.has(`${GS1_VOC}pip`) && available.has(`${GS1_VOC}recallStatus`) && available.has(`${GS1_VOC}traceability`), `${p}: pip, recallStatus and traceability reach every level`);
        }
        t.equal((await get(`${itemPath}?linkType=${encodeURIComponent(`${PUBLIC_BASE_URL}/voc/brewingGuide`)}`)).headers["location"], "https://tea.example/brew", "the merchant's own link type, from the product level");
        const absent = await get(`${productPath}?linkType=gs1:smpc`);
        t.equal(absent.statusCode, 404, "a link type no level has: 404");
        t.match(absent.json(), { error: { code: "NOT_FOUND", field: "query.linkType" } });
      },
    ],
    [
      "By default, SHALL pass on all key=value pairs in the query string",
      async (t) => {
        const res = await get(`${lotPath}?17=271231&foo=bar&utm_source=pack&linkType=gs1:traceability`);
        t.equal(res.statusCode, 307);
        const location = String(res.headers["location"]);
        t.ok(location.endsWith("&17=271231&foo=bar&utm_source=pack"), `every pair passed on, as written (${location})`);
        t.ok((await get(`${productPath}/?foo=bar`)).headers["location"]?.toString().includes("foo=bar"), "with a trailing slash too");
      },
    ],
    [
      "SHALL provide a resolver description file at /.well-known/gs1resolver.",
      async (t) => {
        const res = await get("/.well-known/gs1resolver");
        t.equal(res.statusCode, 200);
        const description = res.json();
        t.equal(description.resolverRoot, PUBLIC_BASE_URL, "resolverRoot is PUBLIC_BASE_URL");
        t.same(description.supportedPrimaryKeys, ["01"], "it resolves GTINs");
        t.ok(description.supportedLinkType.some((n: { namespace: string }) => n.namespace === GS1_VOC), "it recognises the GS1 Web Vocabulary");
        t.match(res.headers["cache-control"], /public/, "cacheable");
      },
    ],
    [
      "If supporting multiple links per identified item, SHALL recognise the GS1 Web vocabulary namespace",
      async (t) => {
        for (const p of ALL_PATHS) {
          for (const context of (await linksetOf(p)).linkset) {
            for (const [type] of linksOf(context)) {
              if (type.startsWith(GS1_VOC)) t.ok(GS1_LINK_TYPES.has(type.slice(GS1_VOC.length)), `${type} is a GS1 link type`);
              else t.notOk(GS1_LINK_TYPES.has(type.split("/").at(-1)!), `${type}, of another namespace, duplicates no GS1 link type`);
            }
          }
        }
        const add = (linkType: string) =>
          h.app.inject({ method: "POST", url: `/v1/products/${c.gtin13}/links`, headers: bearer(c.key), payload: { linkType, href: "https://tea.example/x", title: "X" } });
        for (const duplicate of ["pip", `${PUBLIC_BASE_URL}/voc/recallStatus`, "gs1:notALinkType", "https://gs1.example/voc/pip"]) {
          const res = await add(duplicate);
          t.equal(res.statusCode, 400, `linkType ${duplicate}: refused`);
          t.match(res.json(), { error: { field: "body.linkType" } });
        }
        t.equal((await add(`${GS1_VOC}instructions`)).statusCode, 201, "the full GS1 URI of a link type is recognised");
      },
    ],
    [
      "If supporting redirection based on an MO or Global Company Prefix",
      async (t) => {
        // Tracemark never redirects on a company prefix alone: an unregistered GTIN under a known prefix is a 404, and nobody can add gs1:handledBy.
        const unregistered = await get(path(`${PUBLIC_BASE_URL}/01/0${gtinUnder(PREFIX, 7)}`));
        t.equal(unregistered.statusCode, 404, "no redirection by prefix");
        const res = await h.app.inject({ method: "POST", url: `/v1/products/${c.gtin13}/links`, headers: bearer(c.key), payload: { linkType: "gs1:handledBy", href: "https://other.example", title: "Other resolver" } });
        t.equal(res.statusCode, 400, "gs1:handledBy is not a merchant's to add");
        t.match(res.json(), { error: { field: "body.linkType" } });
      },
    ],
    [
      "SHOULD tolerate trailing slashes at the end of GS1 Digital Link URIs",
      async (t) => {
        for (const p of ALL_PATHS) {
          for (const query of ["", "?linkType=gs1:pip", "?linkType=linkset"]) {
            const without = await get(`${p}${query}`);
            const withSlash = await get(`${p}/${query}`);
            t.equal(withSlash.statusCode, without.statusCode, `${p}/${query}: the same status`);
            t.equal(withSlash.headers["location"], without.headers["location"], `${p}/${query}: the same Location`);
            t.equal(withSlash.body, without.body, `${p}/${query}: the same body`);
          }
        }
      },
    ],
  ];

  for (const line of CHECKLIST) {
    const check = checks.find(([start]) => line.startsWith(start));
    t.ok(check, `the checklist line "${line}" has an assertion`);
    if (check) await t.test(line, check[1]);
  }
  t.equal(checks.length, CHECKLIST.length, "one check per line, none left over");
});
