// The pages' CSS and browser scripts, built with esbuild into memory once per process and served
// under content-hashed names with a year-long immutable cache lifetime.
//
// Why in memory at start rather than a build step: `npm start`, `bash scripts/run.sh start`,
// `npm test` and CI from a clean clone then all serve the same assets with nothing to forget and
// no build output to go stale beside the sources. Building takes well under a second (esbuild) and
// is memoized per process, so the many apps a test file builds share one build.
import { createHash } from "node:crypto";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

/** One asset: a browser entry point (TypeScript) or a stylesheet, and the name it is linked by. */
export interface AssetEntry {
  /** Logical name used by templates: `assets["scan.js"]`. */
  name: string;
  /** Source file, relative to this folder. */
  source: string;
}

/** Everything the pages link. Add a page's script or stylesheet here. */
export const ASSET_ENTRIES: readonly AssetEntry[] = [
  { name: "site.css", source: "assets/site.css" },
  { name: "scan.js", source: "browser/scan.ts" },
  { name: "notarize.js", source: "browser/notarize.ts" },
  { name: "receipt.js", source: "browser/receipt.ts" },
  { name: "check.js", source: "browser/check.ts" },
];

export interface BuiltAsset {
  /** `/assets/scan.3f9a…c2.js` */
  url: string;
  body: Buffer;
  /** The same bytes compressed once at build: a phone on a slow network gets a fifth of the verifier. */
  br: Buffer;
  gzip: Buffer;
  contentType: string;
}

export interface Assets {
  /** Logical name → URL, for templates. */
  urls: Readonly<Record<string, string>>;
  /** File name (hashed) → asset, for the route. */
  byFile: ReadonlyMap<string, BuiltAsset>;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * typebox's compiler tries `new Function` once to see whether it may generate code; under the
 * page's CSP (no 'unsafe-eval') that attempt would be a CSP violation in the console. The browser
 * build says "no" up front, so typebox interprets its schemas instead (same answers).
 */
const noEval: Plugin = {
  name: "no-eval",
  setup(b) {
    b.onLoad({ filter: /typebox[\\/]build[\\/]system[\\/]environment[\\/]evaluate\.mjs$/ }, () => ({
      contents: "export function CanEvaluate() { return false; }\nexport function Evaluate() { throw new Error('no eval under the page CSP'); }\n",
      loader: "js",
    }));
  },
};

async function buildOne(entry: AssetEntry): Promise<{ body: Buffer; ext: string; contentType: string }> {
  const css = entry.source.endsWith(".css");
  const result = await build({
    entryPoints: [here(entry.source)],
    bundle: true,
    write: false,
    minify: true,
    legalComments: "none",
    logLevel: "silent",
    ...(css
      ? { loader: { ".css": "css" } }
      : {
          platform: "browser",
          format: "iife",
          target: "es2022",
          // The Merkle library hashes with node:crypto on the server and the CLI; in the browser the
          // same code gets @noble/hashes' SHA-256 through this one module, and Buffer a small
          // Uint8Array subclass (browser/buffer-shim.ts). One implementation of receipt-v1.
          alias: { "node:crypto": here("browser/crypto-shim.ts") },
          inject: [here("browser/buffer-global.ts")],
          plugins: [noEval],
        }),
  });
  const file = result.outputFiles[0]!;
  return { body: Buffer.from(file.contents), ext: css ? "css" : "js", contentType: css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8" };
}

let built: Promise<Assets> | undefined;

/** Builds every asset once per process. */
export function pageAssets(): Promise<Assets> {
  built ??= (async () => {
    const urls: Record<string, string> = {};
    const byFile = new Map<string, BuiltAsset>();
    for (const entry of ASSET_ENTRIES) {
      const { body, ext, contentType } = await buildOne(entry);
      const stem = entry.name.replace(/\.[^.]+$/, "");
      const file = `${stem}.${createHash("sha256").update(body).digest("hex").slice(0, 16)}.${ext}`;
      const url = `/assets/${file}`;
      urls[entry.name] = url;
      const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
      byFile.set(file, { url, body, br, gzip: gzipSync(body, { level: 9 }), contentType });
    }
    return { urls, byFile };
  })();
  built.catch(() => (built = undefined));
  return built;
}
