// The GS1 Application Identifiers Tracemark understands: format, whether an FNC1 separator must
// follow, whether a GS1 Digital Link URI may carry the AI as a data attribute, and, for the
// identification keys that can be a Digital Link primary key, their key qualifiers.
//
// Sources: GS1 General Specifications §3.2 (AI table, formats "N14", "X..20", …) and §7.8.5
// (AIs with a predefined length need no FNC1 after them); GS1 Digital Link URI Syntax 1.6 (primary
// keys, key qualifiers and their order, data attributes). The layout follows GS1's Barcode Syntax
// Dictionary: a format is a list of components, each with a character set, a length and the
// syntax tests ("linters") its content must pass.
//
// An AI that is not in this table is refused as unknown (unless a parser option says otherwise).
// Extending the table is adding a row; each syntax test named here must exist in ai-syntax.ts.

export type SyntaxTest =
  | "csum" // GS1 check digit (General Specifications §7.9.1)
  | "gcppos1" // a GS1 Company Prefix starts here: its first 4 characters are digits (§1.4.4)
  | "gcppos2" // the same, one position in (after the indicator / extension digit)
  | "yymmd0" // date YYMMDD, DD may be 00 (= end of month, §7.12)
  | "yymmdd" // date YYMMDD, a real day
  | "hhmi" // time HHMM
  | "pieceoftotal" // piece number ≤ total count, neither zero (AI 8006, 8026)
  | "nozeroprefix" // no leading zero (AI 8011)
  | "zero" // the digit 0 (AI 8003's leading digit)
  | "importeridx"; // one of 0-9 A-Z a-z - _ (AI 7040)

export interface AiComponent {
  /** N: digits, X: GS1 character set 82, Y: character set 39 (General Specifications §7.11). */
  readonly charset: "N" | "X" | "Y";
  readonly minLength: number;
  readonly maxLength: number;
  readonly optional: boolean;
  readonly tests: readonly SyntaxTest[];
}

export interface ApplicationIdentifier {
  readonly ai: string;
  /** The data title of General Specifications §3.2 ("GTIN", "BATCH/LOT", "USE BY OR EXPIRY"). */
  readonly title: string;
  /** The format as the General Specifications write it, e.g. "N13 [X..17]". */
  readonly format: string;
  readonly components: readonly AiComponent[];
  /** False for the AIs of predefined length (§7.8.5): the next AI follows without FNC1. */
  readonly fnc1Required: boolean;
  /** May appear in a Digital Link query string (URI Syntax 1.6, data attributes). */
  readonly dataAttribute: boolean;
  /**
   * Set for Digital Link primary keys: the alternative ordered lists of key qualifiers that may
   * follow the key in the path, each usable as any subsequence in that order (URI Syntax 1.6).
   * `[[]]` means "a primary key without qualifiers".
   */
  readonly keyQualifiers: readonly (readonly string[])[] | null;
}

interface Row {
  ais: string | [from: string, to: string];
  /** "*": predefined length, no FNC1; "?": permitted Digital Link data attribute. */
  flags: string;
  format: string;
  title: string;
  keyQualifiers?: string[][];
}

// prettier-ignore
const ROWS: Row[] = [
  { ais: "00", flags: "*?", format: "N18,csum,gcppos2", title: "SSCC", keyQualifiers: [[]] },
  { ais: "01", flags: "*?", format: "N14,csum,gcppos2", title: "GTIN", keyQualifiers: [["22", "10", "21"], ["235"]] },
  { ais: "02", flags: "*?", format: "N14,csum,gcppos2", title: "CONTENT" },
  { ais: "03", flags: "*", format: "N14,csum,gcppos2", title: "MTO GTIN" },
  { ais: "10", flags: "?", format: "X..20", title: "BATCH/LOT" },
  { ais: "11", flags: "*?", format: "N6,yymmd0", title: "PROD DATE" },
  { ais: "12", flags: "*?", format: "N6,yymmd0", title: "DUE DATE" },
  { ais: "13", flags: "*?", format: "N6,yymmd0", title: "PACK DATE" },
  { ais: "15", flags: "*?", format: "N6,yymmd0", title: "BEST BEFORE or BEST BY" },
  { ais: "16", flags: "*?", format: "N6,yymmd0", title: "SELL BY" },
  { ais: "17", flags: "*?", format: "N6,yymmd0", title: "USE BY or EXPIRY" },
  { ais: "20", flags: "*?", format: "N2", title: "VARIANT" },
  { ais: "21", flags: "", format: "X..20", title: "SERIAL" },
  { ais: "22", flags: "", format: "X..20", title: "CPV" },
  { ais: "235", flags: "", format: "X..28", title: "TPX" },
  { ais: "240", flags: "?", format: "X..30", title: "ADDITIONAL ID" },
  { ais: "241", flags: "?", format: "X..30", title: "CUST. PART No." },
  { ais: "242", flags: "?", format: "N..6", title: "MTO VARIANT" },
  { ais: "243", flags: "?", format: "X..20", title: "PCN" },
  { ais: "250", flags: "?", format: "X..30", title: "SECONDARY SERIAL" },
  { ais: "251", flags: "?", format: "X..30", title: "REF. TO SOURCE" },
  { ais: "253", flags: "?", format: "N13,csum,gcppos1 [X..17]", title: "GDTI", keyQualifiers: [[]] },
  { ais: "254", flags: "", format: "X..20", title: "GLN EXTENSION COMPONENT" },
  { ais: "255", flags: "?", format: "N13,csum,gcppos1 [N..12]", title: "GCN", keyQualifiers: [[]] },
  { ais: "30", flags: "?", format: "N..8", title: "VAR. COUNT" },
  // Trade and logistic measures (§3.6.2–§3.6.9): the fourth digit is the decimal point position.
  ...["310", "311", "312", "313", "314", "315", "316", "320", "321", "322", "323", "324", "325", "326",
      "327", "328", "329", "330", "331", "332", "333", "334", "335", "336", "337", "340", "341", "342",
      "343", "344", "345", "346", "347", "348", "349", "350", "351", "352", "353", "354", "355", "356",
      "357", "360", "361", "362", "363", "364", "365", "366", "367", "368", "369"]
    .map((p): Row => ({ ais: [`${p}0`, `${p}5`], flags: "*?", format: "N6", title: `MEASURE (${p}n)` })),
  { ais: "37", flags: "?", format: "N..8", title: "COUNT" },
  { ais: ["3900", "3909"], flags: "?", format: "N..15", title: "AMOUNT" },
  { ais: ["3920", "3929"], flags: "?", format: "N..15", title: "PRICE" },
  { ais: ["3940", "3943"], flags: "?", format: "N4", title: "PRCNT OFF" },
  { ais: ["3950", "3955"], flags: "?", format: "N6", title: "PRICE/UoM" },
  { ais: "400", flags: "?", format: "X..30", title: "ORDER NUMBER" },
  { ais: "401", flags: "?", format: "X..30,gcppos1", title: "GINC", keyQualifiers: [[]] },
  { ais: "402", flags: "?", format: "N17,csum,gcppos1", title: "GSIN", keyQualifiers: [[]] },
  { ais: "403", flags: "?", format: "X..30", title: "ROUTE" },
  { ais: "410", flags: "*?", format: "N13,csum,gcppos1", title: "SHIP TO LOC" },
  { ais: "411", flags: "*?", format: "N13,csum,gcppos1", title: "BILL TO" },
  { ais: "412", flags: "*?", format: "N13,csum,gcppos1", title: "PURCHASE FROM" },
  { ais: "413", flags: "*?", format: "N13,csum,gcppos1", title: "SHIP FOR LOC" },
  { ais: "414", flags: "*?", format: "N13,csum,gcppos1", title: "LOC No.", keyQualifiers: [["254"], ["7040"]] },
  { ais: "415", flags: "*?", format: "N13,csum,gcppos1", title: "PAY TO", keyQualifiers: [["8020"]] },
  { ais: "416", flags: "*?", format: "N13,csum,gcppos1", title: "PROD/SERV LOC" },
  { ais: "417", flags: "*?", format: "N13,csum,gcppos1", title: "PARTY", keyQualifiers: [["7040"]] },
  { ais: "420", flags: "?", format: "X..20", title: "SHIP TO POST" },
  { ais: "7003", flags: "?", format: "N6,yymmdd N4,hhmi", title: "EXPIRY TIME" },
  { ais: "7006", flags: "?", format: "N6,yymmdd", title: "FIRST FREEZE DATE" },
  { ais: "7007", flags: "?", format: "N6,yymmdd [N6],yymmdd", title: "HARVEST DATE" },
  { ais: "7040", flags: "", format: "N1 X1 X1 X1,importeridx", title: "UIC+EXT" },
  { ais: "8003", flags: "?", format: "N1,zero N13,csum,gcppos1 [X..16]", title: "GRAI", keyQualifiers: [[]] },
  { ais: "8004", flags: "?", format: "X..30,gcppos1", title: "GIAI", keyQualifiers: [["7040"]] },
  { ais: "8006", flags: "?", format: "N14,csum,gcppos2 N4,pieceoftotal", title: "ITIP", keyQualifiers: [["22", "10", "21"]] },
  { ais: "8010", flags: "?", format: "Y..30,gcppos1", title: "CPID", keyQualifiers: [["8011"]] },
  { ais: "8011", flags: "", format: "N..12,nozeroprefix", title: "CPID SERIAL" },
  { ais: "8012", flags: "?", format: "X..20", title: "VERSION" },
  { ais: "8017", flags: "?", format: "N18,csum,gcppos1", title: "GSRN - PROVIDER", keyQualifiers: [["8019"]] },
  { ais: "8018", flags: "?", format: "N18,csum,gcppos1", title: "GSRN - RECIPIENT", keyQualifiers: [["8019"]] },
  { ais: "8019", flags: "", format: "N..10", title: "SRIN" },
  { ais: "8020", flags: "", format: "X..25", title: "REF No." },
  { ais: "8026", flags: "?", format: "N14,csum,gcppos2 N4,pieceoftotal", title: "ITIP CONTENT" },
  { ais: "8200", flags: "", format: "X..70", title: "PRODUCT URL" },
  { ais: "90", flags: "?", format: "X..30", title: "INTERNAL" },
  { ais: ["91", "99"], flags: "?", format: "X..90", title: "INTERNAL" },
];

/** "N13,csum [X..17]" → components. Only the last component may vary in length (§3.2). */
export function parseFormat(format: string): AiComponent[] {
  return format.split(" ").map((part) => {
    const match = /^(\[)?([NXY])(\.\.)?(\d+)\]?((?:,[a-z0-9]+)*)$/.exec(part);
    if (match === null) throw new Error(`bad AI format component ${part}`);
    const [, bracket, charset, dots, length, tests] = match;
    const max = Number(length);
    return {
      charset: charset as AiComponent["charset"],
      minLength: dots === undefined ? max : 1,
      maxLength: max,
      optional: bracket !== undefined,
      tests: (tests ?? "").split(",").filter(Boolean) as SyntaxTest[],
    };
  });
}

const expand = (ais: Row["ais"]): string[] => {
  if (typeof ais === "string") return [ais];
  const [from, to] = ais;
  const out: string[] = [];
  for (let n = Number(from); n <= Number(to); n++) out.push(String(n).padStart(from.length, "0"));
  return out;
};

const TABLE: ReadonlyMap<string, ApplicationIdentifier> = new Map(
  ROWS.flatMap((row) =>
    expand(row.ais).map((ai): [string, ApplicationIdentifier] => [
      ai,
      Object.freeze({
        ai,
        title: row.title,
        format: row.format.replace(/,[a-z0-9]+/g, ""),
        components: parseFormat(row.format),
        fnc1Required: !row.flags.includes("*"),
        dataAttribute: row.flags.includes("?"),
        keyQualifiers: row.keyQualifiers ?? null,
      }),
    ]),
  ),
);

export const lookupAi = (ai: string): ApplicationIdentifier | undefined => TABLE.get(ai);

/** Every AI of the table, in table order. */
export const listAis = (): ApplicationIdentifier[] => [...TABLE.values()];

export const isPrimaryKey = (ai: string): boolean => TABLE.get(ai)?.keyQualifiers != null;

/**
 * An AI number outside the table, accepted only when the caller permits unknown AIs (as the
 * Syntax Engine's permitUnknownAIs): any value of set 82 up to 90 characters, FNC1 after it,
 * never a primary key. Its number must be 2 to 4 digits and not extend or shorten a known AI
 * of the same two-digit prefix (the AI length by prefix, General Specifications §3.2).
 */
export function unknownAi(ai: string): ApplicationIdentifier | undefined {
  if (!/^[0-9]{2,4}$/.test(ai) || TABLE.has(ai)) return undefined;
  const prefix = ai.slice(0, 2);
  const known = [...TABLE.keys()].find((k) => k.startsWith(prefix));
  if (known !== undefined && known.length !== ai.length) return undefined;
  return {
    ai,
    title: "UNKNOWN",
    format: "X..90",
    components: parseFormat("X..90"),
    fnc1Required: true,
    dataAttribute: true,
    keyQualifiers: null,
  };
}

/**
 * Is `path` (primary key first, then qualifiers) an allowed Digital Link path AI sequence?
 * URI Syntax 1.6: the qualifiers are an in-order subsequence of one of the key's alternatives,
 * e.g. 01 then 22, 10, 21 (any of them, in that order) or 01 then 235, never mixed.
 */
export function isValidKeyQualifierPath(path: readonly string[]): boolean {
  const [key, ...qualifiers] = path;
  const alternatives = key === undefined ? null : TABLE.get(key)?.keyQualifiers;
  if (alternatives == null) return false;
  return alternatives.some((order) => {
    let next = 0;
    for (const q of qualifiers) {
      const at = order.indexOf(q, next);
      if (at < 0) return false;
      next = at + 1;
    }
    return true;
  });
}
