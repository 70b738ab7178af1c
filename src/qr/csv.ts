// CSV cells the service writes (items.csv in a lot's ZIP, a job's items as CSV), safe to open in a
// spreadsheet. OWASP "CSV Injection": a cell that starts with = + - @, a tab or a carriage return
// is read as a formula by Excel, LibreOffice and Google Sheets (=HYPERLINK(…), =cmd|…), so it is
// written with a leading apostrophe, which makes it text; RFC 4180 §2 quotes a cell holding a
// comma, a quote or a line break (doubling its quotes), so no cell can end early and start
// another. Today's serials are letters and digits, but GS1 AI (21) and AI (10) allow + - = (GS1
// General Specifications, character set 82), and lots, names and imported serials are the
// merchant's own text: every cell goes through here, not only the ones that look risky now.

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised as text when a spreadsheet would take it for a formula, quoted when RFC 4180 needs it. */
export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line of cells, CRLF-terminated (RFC 4180 §2). */
export const csvLine = (cells: readonly string[]) => `${cells.map(csvCell).join(",")}\r\n`;
