// Independent decoding of the QR codes the service draws: PNG through pngjs and jsQR; SVG by
// reading the module grid out of its path data (the `qrcode` package draws each row's dark
// runs as `h` strokes), painting it as pixels and handing those to jsQR as well.
import jsQRModule from "jsqr";
import { PNG } from "pngjs";

// jsqr is CommonJS: its module.exports is the function its types call `default`.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

export function decodePng(png: Buffer): { text: string | null; width: number; height: number; pixel: (x: number, y: number) => number } {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  return { text: code?.data ?? null, width: image.width, height: image.height, pixel: (x, y) => image.data[(y * image.width + x) * 4]! };
}

export interface SvgGrid {
  /** Modules per side, quiet zone included (the viewBox). */
  size: number;
  dark: boolean[][];
}

/** The module grid an SVG of `qrcode` draws: `M x y` / `m dx dy` moves, `h n` runs of n dark modules on row ⌊y⌋. */
export function svgGrid(svg: string): SvgGrid {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  if (!Number.isInteger(size) || size <= 0) throw new Error("no square viewBox");
  const dark = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  const stroke = /<path[^>]*stroke="[^"]+"[^>]*d="([^"]+)"/.exec(svg)?.[1] ?? "";
  let x = 0;
  let y = 0;
  for (const [, command, args] of stroke.matchAll(/([MmHhVv])([^MmHhVv]*)/g)) {
    const n = args!.trim().split(/[\s,]+/).filter(Boolean).map(Number);
    if (command === "M") [x, y] = [n[0]!, n[1]!];
    else if (command === "m") [x, y] = [x + n[0]!, y + n[1]!];
    else if (command === "h") {
      for (let i = 0; i < n[0]!; i++) dark[Math.floor(y)]![x + i] = true;
      x += n[0]!;
    } else throw new Error(`unexpected path command ${command}`);
  }
  return { size, dark };
}

/** Paints the grid, `scale` pixels a module, and decodes it with jsQR. */
export function decodeSvg(svg: string, scale = 4): string | null {
  const { size, dark } = svgGrid(svg);
  const width = size * scale;
  const data = new Uint8ClampedArray(width * width * 4);
  for (let py = 0; py < width; py++) {
    for (let px = 0; px < width; px++) {
      const value = dark[Math.floor(py / scale)]![Math.floor(px / scale)] ? 0 : 255;
      data.set([value, value, value, 255], (py * width + px) * 4);
    }
  }
  return jsQR(data, width, width)?.data ?? null;
}
