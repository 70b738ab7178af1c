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

interface Node {
  value: unknown;
  parent: Node | undefined;
  /** The member name, or the array index, under the parent. */
  key: string | number;
  depth: number;
}

/** "body.records[3].payload" for a node; built only for the one field that is reported. */
function pathOf(node: Node, normalise = false): string {
  let path = "";
  for (let at: Node | undefined = node; at; at = at.parent) {
    path = (typeof at.key === "number" ? `[${normalise ? "" : at.key}]` : at.parent ? `.${at.key}` : at.key) + path;
  }
  return path;
}

/** The first field under `root` holding a string PostgreSQL text cannot store, or undefined. */
export function unstorableField(root: string, value: unknown, exempt: ReadonlySet<string> = new Set()): string | undefined {
  // Iterative and linear: a 1 MiB body can nest arrays half a million deep, so no recursion and
  // no path strings per node (they would make the walk quadratic in the depth).
  const exemptDepth = exempt.size === 0 ? 0 : Math.max(0, ...[...exempt].map((p) => p.split(/\.|\[\]/).length - 1));
  const stack: Node[] = [{ value, parent: undefined, key: root, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const current = node.value;
    if (node.depth <= exemptDepth && exempt.has(pathOf(node, true))) continue;
    if (typeof current === "string") {
      if (UNSTORABLE.test(current)) return pathOf(node);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], parent: node, key: i, depth: node.depth + 1 });
    } else if (current !== null && typeof current === "object") {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const child: Node = { value: (current as Record<string, unknown>)[key], parent: node, key, depth: node.depth + 1 };
        if (UNSTORABLE.test(key)) return pathOf(child);
        stack.push(child);
      }
    }
  }
  return undefined;
}

/** A route's exemptions as a set, made once per route rather than per request. */
const exemptions = new WeakMap<object, ReadonlySet<string>>();
const NONE: ReadonlySet<string> = new Set();

function exemptionsOf(request: FastifyRequest): ReadonlySet<string> {
  const config = request.routeOptions.config;
  const listed = config.notStoredAsText;
  if (listed === undefined) return NONE;
  let exempt = exemptions.get(config);
  if (exempt === undefined) exemptions.set(config, (exempt = new Set(listed)));
  return exempt;
}

function firstUnstorable(request: FastifyRequest): string | undefined {
  const exempt = exemptionsOf(request);
  return (
    unstorableField("params", request.params) ??
    unstorableField("query", request.query) ??
    unstorableField("headers", request.headers) ??
    unstorableField("body", request.body, exempt)
  );
}

async function storableTextPlugin(app: FastifyInstance): Promise<void> {
  app.addHook("preValidation", (request, _reply, done) => {
    const field = firstUnstorable(request);
    if (field !== undefined) return done(invalid(field, "holds a character that cannot be stored: NUL (U+0000) or a lone UTF-16 surrogate"));
    done();
  });
}

export default fp(storableTextPlugin, { name: "tracemark-storable-text" });
