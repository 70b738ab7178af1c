// RFC 8493 (BagIt 1.0): the tag files of a bag. Pure text; the bag's files are hashed as they
// stream into the ZIP (src/bundle/bundle.ts), and these are written after them.

export interface ManifestEntry {
  /** Path in the bag, "/" separated: data/… for the payload, or a tag file. */
  path: string;
  sha256: string;
  bytes: number;
}

/** RFC 8493 §2.1.1: the bag declaration. */
export const BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/**
 * RFC 8493 §2.1.3: `checksum filepath` lines. Two spaces, as sha256sum writes them, so that
 * `sha256sum -c manifest-sha256.txt` checks the unpacked bag. A path with a newline or a CR
 * would be percent-encoded (§2.1.3); the bundle never makes one.
 */
export function manifestText(entries: readonly ManifestEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => `${e.sha256}  ${e.path.replace(/%/g, "%25").replace(/\n/g, "%0A").replace(/\r/g, "%0D")}\n`)
    .join("");
}

/** RFC 8493 §2.2.2: bag-info.txt, reserved metadata elements. Payload-Oxum is octets.files of data/. */
export function bagInfoText(fields: { organization: string; baggingDate: string; externalIdentifier: string; description: string; payload: readonly ManifestEntry[] }): string {
  const octets = fields.payload.reduce((sum, e) => sum + e.bytes, 0);
  return [
    `Source-Organization: ${fields.organization}`,
    `Bagging-Date: ${fields.baggingDate}`,
    `External-Identifier: ${fields.externalIdentifier}`,
    `Internal-Sender-Description: ${fields.description}`,
    `Payload-Oxum: ${octets}.${fields.payload.length}`,
    "",
  ].join("\n");
}

/** Parses `checksum  path` lines (one or two spaces, or " *" for binary mode as sha256sum writes it). */
export function parseManifest(text: string): Array<{ sha256: string; path: string; line: number }> | { line: number; problem: string } {
  const out: Array<{ sha256: string; path: string; line: number }> = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, "");
    if (line === "" && i === lines.length - 1) break;
    const match = /^([0-9a-fA-F]{64}) [ *]?(.+)$/.exec(line);
    if (!match) return { line: i + 1, problem: "is not `sha256  path`" };
    const path = match[2]!.replace(/%0D/gi, "\r").replace(/%0A/gi, "\n").replace(/%25/g, "%");
    out.push({ sha256: match[1]!.toLowerCase(), path, line: i + 1 });
  }
  return out;
}
