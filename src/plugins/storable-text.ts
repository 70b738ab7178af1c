// PostgreSQL `text` cannot hold U+0000 (error 22021), and a lone surrogate has no UTF-8 form (the
// driver would silently store U+FFFD instead, so the row would no longer say what was hashed).
// Either one anywhere in a request's params, query, headers or body is the client's mistake: a
// 400 naming the field, before any route sees it. Fields that are only hashed or verified, never
// stored as text (a JSON payload, a receipt to verify), are exempted by the route:
// `config: { notStoredAsText: ["body.payload"] }`; "[]" stands for any array index.
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { invalid } from "../errors.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Request fields that are hashed or verified but never stored as text: anything goes there. */
    notStoredAsText?: readonly string[];
  }
}

// In a /u regular expression a surrogate pair is one code point, so this matches lone surrogates.
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what is looked for
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;

/** The first field under `root` holding a string PostgreSQL text cannot store, or undefined. */
export function unstorableField(root: string, value: unknown, exempt: ReadonlySet<string> = new Set()): string | undefined {
  // Iterative, not recursive: a 1 MiB body can nest arrays half a million deep.
  const stack: Array<[string, unknown]> = [[root, value]];
  while (stack.length > 0) {
    const [path, current] = stack.pop()!;
    if (exempt.size > 0 && exempt.has(path.replace(/\[\d+\]/g, "[]"))) continue;
    if (typeof current === "string") {
      if (UNSTORABLE.test(current)) return path;
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([`${path}[${i}]`, current[i]]);
    } else if (current !== null && typeof current === "object") {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const at = `${path}.${key}`;
        if (UNSTORABLE.test(key)) return at;
        stack.push([at, (current as Record<string, unknown>)[key]]);
      }
    }
  }
  return undefined;
}

function firstUnstorable(request: FastifyRequest): string | undefined {
  const exempt = new Set(request.routeOptions.config.notStoredAsText ?? []);
  return (
    unstorableField("params", request.params) ??
    unstorableField("query", request.query) ??
    unstorableField("headers", request.headers) ??
    unstorableField("body", request.body, exempt)
  );
}

async function storableTextPlugin(app: FastifyInstance): Promise<void> {
  app.addHook("preValidation", async (request) => {
    const field = firstUnstorable(request);
    if (field !== undefined) throw invalid(field, "holds a character that cannot be stored: NUL (U+0000) or a lone UTF-16 surrogate");
  });
}

export default fp(storableTextPlugin, { name: "tracemark-storable-text" });
