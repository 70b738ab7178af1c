// The few DOM types the page scripts use. The project compiles for Node (tsconfig lib es2023);
// pulling lib "dom" into that one program would retype fetch, Buffer and timers everywhere, so the
// scripts name the slice of the DOM they touch here instead.
export interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  className: string;
  title: string;
  querySelector(selectors: string): PageElement | null;
  querySelectorAll(selectors: string): Iterable<PageElement> & ArrayLike<PageElement>;
}

export interface PageDocument extends PageElement {
  documentElement: { lang: string };
}

export const pageDocument = (globalThis as unknown as { document: PageDocument }).document;
export const pageLocation = (): string => (globalThis as unknown as { location: { href: string } }).location.href;
