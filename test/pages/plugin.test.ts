// The page plumbing, through the real app with `inject`: the scan page for browsers at a Digital
// Link URI (JSON clients unchanged), its headers (CSP, Vary, Content-Language), the language
// negotiation and its cookie, and the built assets (hashed names, immutable caching).
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import t from "tap";
import { pageAssets, ASSET_ENTRIES } from "../../src/pages/assets.ts";
import { pageCsp } from "../../src/pages/csp.ts";
import { scriptJson } from "../../src/pages/plugin.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { gtinUnder, merchantWithPrefix } from "../support/trace.ts";

const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const h = await buildTestApp({ PUBLIC_BASE_URL: "https://trace.example.com" });
t.teardown(h.close);
const merchant = await merchantWithPrefix(h, "Page tea", "952013");
const gtin = gtinUnder("952013", 1);
await h.app.inject({ method: "POST", url: "/v1/products", headers: bearer(merchant), payload: { gtin, name: "Longjing <green> tea & co", brand: "West Lake" } });
const page = `/01/0${gtin}`;

t.test("a browser gets the scan page at the Digital Link URI; JSON clients keep the redirect and the linkset", async (t) => {
  const html = await h.app.inject({ url: page, headers: { accept: BROWSER } });
  t.equal(html.statusCode, 200);
  t.match(html.headers["content-type"], /^text\/html; charset=utf-8/);
  t.match(html.body, /<h1>Longjing &lt;green&gt; tea &amp; co<\/h1>/, "text is escaped");
  t.equal(html.headers["content-security-policy"], pageCsp("https://trace.example.com/rpc"));
  t.match(html.headers["vary"], /Accept\b.*Accept-Language.*Cookie/);
  t.equal(html.headers["content-language"], "zh-CN");
  t.equal(html.headers["x-content-type-options"], "nosniff", "the other security headers stay");
  t.notMatch(html.body, /<script>|<script (?!src=|type="application\/json")|style=/, "no inline script or style");

  const curl = await h.app.inject({ url: page, headers: { accept: "*/*" } });
  t.equal(curl.statusCode, 307, "*/* alone: the redirect");
  const json = await h.app.inject({ url: page, headers: { accept: "application/json, text/html;q=0.5" } });
  t.equal(json.statusCode, 307, "JSON preferred: not the page");
  const linkset = await h.app.inject({ url: page, headers: { accept: "application/linkset+json" } });
  t.equal(linkset.statusCode, 200);
  t.match(linkset.headers["content-type"], /application\/linkset\+json/);
  const typed = await h.app.inject({ url: `${page}?linkType=linkset`, headers: { accept: BROWSER } });
  t.match(typed.headers["content-type"], /linkset/, "an explicit linkType wins over text/html");
});

t.test("the language: ?lang sets a cookie; the cookie; Accept-Language; zh-CN otherwise", async (t) => {
  const en = await h.app.inject({ url: `${page}?lang=en`, headers: { accept: BROWSER } });
  t.equal(en.headers["content-language"], "en");
  t.match(en.headers["set-cookie"], /^lang=en; Max-Age=31536000; Path=\/; HttpOnly; SameSite=Lax/);
  t.match(en.body, /<html lang="en">/);
  const cookie = await h.app.inject({ url: page, headers: { accept: BROWSER, cookie: "lang=en", "accept-language": "zh-CN" } });
  t.equal(cookie.headers["content-language"], "en", "the cookie beats Accept-Language");
  t.equal(cookie.headers["set-cookie"], undefined);
  const accept = await h.app.inject({ url: page, headers: { accept: BROWSER, "accept-language": "fr;q=1, en-US;q=0.8" } });
  t.equal(accept.headers["content-language"], "en");
  const odd = await h.app.inject({ url: `${page}?lang=de`, headers: { accept: BROWSER, cookie: "lang=xx" } });
  t.equal(odd.headers["content-language"], "zh-CN", "unknown values fall through to the default");
  t.equal(odd.headers["set-cookie"], undefined);
});

t.test("an unknown code is a 404 page for a browser, and the JSON error for anyone else", async (t) => {
  const url = `/01/0${gtinUnder("952013", 99)}`;
  const res = await h.app.inject({ url: `${url}?lang=en`, headers: { accept: BROWSER } });
  t.equal(res.statusCode, 404);
  t.match(res.headers["content-type"], /^text\/html/);
  t.match(res.body, /We have no record of this code[\s\S]*may be a copy/);
  t.equal(res.headers["content-security-policy"], pageCsp("https://trace.example.com/rpc"));
  const json = await h.app.inject({ url });
  t.equal(json.statusCode, 404);
  t.equal(json.json().error.code, "NOT_FOUND");
});

t.test("assets: content-hashed names, immutable for a year; an unknown name is a 404", async (t) => {
  const assets = await pageAssets();
  t.same(Object.keys(assets.urls).sort(), ASSET_ENTRIES.map((e) => e.name).sort());
  for (const [name, url] of Object.entries(assets.urls)) {
    t.match(url, new RegExp(`^/assets/${name.replace(/\.(js|css)$/, "")}\\.[0-9a-f]{16}\\.(js|css)$`));
    const res = await h.app.inject({ url });
    t.equal(res.statusCode, 200, url);
    t.equal(res.headers["cache-control"], "public, max-age=31536000, immutable");
    t.match(res.headers["content-type"], name.endsWith(".css") ? /^text\/css/ : /^text\/javascript/);
  }
  t.equal((await h.app.inject({ url: "/assets/scan.0000000000000000.js" })).statusCode, 404);
  const raw = await h.app.inject({ url: assets.urls["scan.js"]! });
  const br = await h.app.inject({ url: assets.urls["scan.js"]!, headers: { "accept-encoding": "gzip, deflate, br" } });
  t.equal(br.headers["content-encoding"], "br");
  t.match(br.headers["vary"], /Accept-Encoding/);
  t.ok(br.rawPayload.length < raw.rawPayload.length / 3, `brotli: ${br.rawPayload.length} of ${raw.rawPayload.length} bytes`);
  t.same(brotliDecompressSync(br.rawPayload), raw.rawPayload, "the same script");
  const gz = await h.app.inject({ url: assets.urls["scan.js"]!, headers: { "accept-encoding": "gzip" } });
  t.equal(gz.headers["content-encoding"], "gzip");
  t.same(gunzipSync(gz.rawPayload), raw.rawPayload);
  const page = await h.app.inject({ url: `/01/0${gtin}`, headers: { accept: BROWSER } });
  t.ok(page.body.includes(assets.urls["scan.js"]!) && page.body.includes(assets.urls["site.css"]!), "the page links the built files");
});

t.test("JSON data blocks cannot end their script element", async (t) => {
  const text = scriptJson({ a: "</script><script>alert(1)</script>", b: "\u2028" });
  t.notMatch(text, /<\/script/i);
  t.same(JSON.parse(text), { a: "</script><script>alert(1)</script>", b: "\u2028" });
});
