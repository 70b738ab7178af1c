// Injected into every browser bundle (src/pages/assets.ts): `Buffer` in bundled library code
// refers to this export, not to a global.
export { BrowserBuffer as Buffer } from "./buffer-shim.ts";
