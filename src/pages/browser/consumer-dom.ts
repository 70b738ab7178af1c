// The slice of the DOM the consumer pages' scripts touch (notarize, receipt, check). The project
// compiles for Node (tsconfig lib es2023), so page scripts name what they use instead of pulling
// lib "dom" into the whole program (the same choice as dom.ts).
export interface Blobish {
  readonly size: number;
  readonly type: string;
  slice(start: number, end: number): Blobish;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

export interface Fileish extends Blobish {
  readonly name: string;
}

export interface El {
  id: string;
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  className: string;
  hidden: boolean;
  value: string;
  checked: boolean;
  disabled: boolean;
  href: string;
  files: ArrayLike<Fileish> | null;
  max: number;
  title: string;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelector(selectors: string): El | null;
  querySelectorAll(selectors: string): ArrayLike<El> & Iterable<El>;
  addEventListener(type: string, listener: (event: Ev) => void): void;
  append(...nodes: Array<El | string>): void;
  replaceChildren(...nodes: Array<El | string>): void;
  focus(): void;
}

export interface Ev {
  preventDefault(): void;
  readonly dataTransfer?: { files: ArrayLike<Fileish> } | null;
}

interface Doc extends El {
  documentElement: El & { lang: string };
  createElement(tag: string): El;
}

const g = globalThis as unknown as {
  document: Doc;
  location: { href: string };
  URL: { createObjectURL(blob: unknown): string; revokeObjectURL(url: string): void };
  Blob: new (parts: unknown[], options: { type: string }) => Blobish;
  print(): void;
};

export const doc = (): Doc => g.document;
export const here = (): string => g.location.href;
export const printPage = (): void => g.print();

/** A link that downloads `text` as a file: the receipt to keep. */
export function downloadLink(link: El, text: string, fileName: string, type = "application/json"): void {
  const url = g.URL.createObjectURL(new g.Blob([text], { type }));
  link.href = url;
  link.setAttribute("download", fileName);
}

export function el(tag: string, props: { className?: string; text?: string; data?: Record<string, string> } = {}): El {
  const e = doc().createElement(tag);
  if (props.className) e.className = props.className;
  if (props.text !== undefined) e.textContent = props.text;
  for (const [k, v] of Object.entries(props.data ?? {})) e.dataset[k] = v;
  return e;
}

/** `<script type="application/json" id=…>` data the server put in the page. */
export function pageJson<T>(id: string): T {
  return JSON.parse(doc().querySelector(`script[type="application/json"]#${id}`)?.textContent ?? "null") as T;
}

export type Messages = Record<string, string>;

export function say(messages: Messages, key: string, params: Record<string, string | number> = {}): string {
  return (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
