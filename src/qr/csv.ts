// CSV cells the service writes (items.csv in a lot's ZIP, a job's items as CSV), safe to open in a
// spreadsheet. OWASP "CSV Injection": a cell that starts with = + - @, a tab or a carriage return
// is read as a formula by Excel, LibreOffice and Google Sheets (=HYPERLINK(…), =cmd|…), so it is
// written with a leading apostrophe, which makes it text. Today's serials are letters and digits,
// but GS1 AI (21) and AI (10) allow + - = (GS1 General Specifications, character set 82), and lots,
// names and imported serials are the merchant's own text: every cell goes through here.
// RFC 4180 itself is csv-stringify's: quoting a cell that holds a comma, a quote or a line break
// (doubling its quotes), so no cell can end early and start another. `quoted_match` adds a lone CR
// or LF, which csv-stringify would otherwise quote only as the whole CRLF record delimiter.
import { stringify } from "csv-stringify/sync";

const FORMULA_START = /^[=+\-@\t\r]/;

const neutralised = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

const OPTIONS = { record_delimiter: "windows", quoted_match: /[\r\n]/, cast: { string: neutralised } } as const;

/** CSV lines of cells, each CRLF-terminated (RFC 4180 §2): one call for a page of rows. */
export const csvLines = (rows: ReadonlyArray<readonly string[]>): string => stringify(rows as string[][], OPTIONS);

/** One CSV line of cells, CRLF-terminated. */
export const csvLine = (cells: readonly string[]): string => csvLines([cells]);

/** One cell: neutralised as text when a spreadsheet would take it for a formula, quoted when RFC 4180 needs it. */
export const csvCell = (value: string): string => csvLine([value]).slice(0, -2);
