// QR codes of GS1 Digital Link URIs (GS1 Digital Link URI Syntax 1.6 §"GS1 Digital Link QR
// Code"; the symbol itself is ISO/IEC 18004, drawn by the `qrcode` package).
//
// - Error correction M by default (15 % of the codewords recoverable): GS1's guidance for codes
//   printed on packs; Q (25 %) on request, for rough surfaces and small prints.
// - A quiet zone of 4 modules on every side, as ISO/IEC 18004 §6.3.8 requires of QR Code.
// - Size: the image's width in pixels, or the size of one module in pixels; bounded, so one
//   request cannot ask for a gigapixel image.
import QRCode from "qrcode";

export type QrFormat = "png" | "svg";
export type QrEcc = "M" | "Q";

export const QUIET_ZONE_MODULES = 4;
export const DEFAULT_MODULE_PX = 8;
export const MAX_MODULE_PX = 40;
export const MIN_WIDTH_PX = 64;
export const MAX_WIDTH_PX = 2048;

export interface QrOptions {
  format: QrFormat;
  ecc: QrEcc;
  /** Pixels per module; ignored when `width` is given. */
  modulePx?: number;
  /** The whole image's width in pixels, quiet zone included. */
  width?: number;
}

const rendererOptions = (options: QrOptions) => ({
  errorCorrectionLevel: options.ecc,
  margin: QUIET_ZONE_MODULES,
  ...(options.width === undefined ? { scale: options.modulePx ?? DEFAULT_MODULE_PX } : { width: options.width }),
});

export const MEDIA_TYPES: Record<QrFormat, string> = { png: "image/png", svg: "image/svg+xml" };

/** The QR code of `text` in byte mode (a URI is not all upper-case, so alphanumeric mode does not apply). */
export async function renderQr(text: string, options: QrOptions): Promise<Buffer> {
  if (options.format === "png") return QRCode.toBuffer(text, { ...rendererOptions(options), type: "png" });
  return Buffer.from(await QRCode.toString(text, { ...rendererOptions(options), type: "svg" }));
}

/** The module grid of the symbol `renderQr` draws for `text`: size × size, true for dark. */
export function qrModules(text: string, ecc: QrEcc): { size: number; dark: (row: number, column: number) => boolean } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: ecc });
  return { size: modules.size, dark: (row, column) => Boolean(modules.get(row, column)) };
}
