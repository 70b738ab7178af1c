// Products and lots: one POST per CSV row, a few at a time. Both are keyed by what they are (a
// GTIN; a GTIN and a lot number), so the server itself makes a rerun safe: a row it already holds
// is a 409 "registered already", counted as already there, never written twice.
import { reasonOf, type ApiAnswer, type ApiClient } from "./api.ts";
import type { Rejection, Tally } from "./outcome.ts";
import type { CsvRow } from "./sources.ts";

const IN_FLIGHT = 8;

interface Request {
  id: string;
  path: string;
  body: Record<string, string>;
}

/** The non-empty cells of `columns`: an empty cell means "not given", as the API's optional fields do. */
function cells(fields: Record<string, string>, columns: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const column of columns) {
    const value = fields[column]?.trim();
    if (value) out[column] = value;
  }
  return out;
}

function productRequest(row: CsvRow): Request {
  const gtin = row.fields["gtin"]?.trim() ?? "";
  return { id: gtin, path: "/v1/products", body: cells(row.fields, ["gtin", "name", "brand", "category", "origin", "description"]) };
}

function lotRequest(row: CsvRow): Request {
  const gtin = row.fields["gtin"]?.trim() ?? "";
  const body = cells(row.fields, ["lot", "productionDate", "expiryDate", "origin"]);
  return { id: `${gtin} lot ${body["lot"] ?? ""}`, path: `/v1/products/${encodeURIComponent(gtin)}/lots`, body };
}

/** A 409 that says the thing exists (CONFLICT), not an idempotency clash or a state conflict of another kind. */
const alreadyThere = (answer: ApiAnswer) => answer.status === 409 && reasonOf(answer).code === "CONFLICT" && /already/i.test(reasonOf(answer).message);

export async function importRows(api: ApiClient, kind: "products" | "lots", rows: CsvRow[], chunkKey: string): Promise<Tally> {
  const tally: Tally = { created: 0, already: 0, rejected: [] };
  const toRequest = kind === "products" ? productRequest : lotRequest;
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const offset = next++;
      const row = rows[offset]!;
      const request = toRequest(row);
      const where = `line ${row.line}`;
      if (row.problem) {
        tally.rejected.push({ where, id: request.id, code: "CSV_COLUMNS", reason: `the row ${row.problem}` });
        continue;
      }
      // The chunk's key plus the row's place in it: a service that honours Idempotency-Key replays
      // the first answer; the routes of today rely on the 409 above.
      const answer = await api.send("POST", request.path, { json: request.body, idempotencyKey: `${chunkKey}.${offset}` });
      if (answer.status === 201) tally.created++;
      else if (alreadyThere(answer)) tally.already++;
      else tally.rejected.push(rejection(where, request.id, answer, kind));
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, rows.length) }, worker));
  return tally;
}

/** The server's reason, with its request field named as the CSV column it came from. */
function rejection(where: string, id: string, answer: ApiAnswer, kind: "products" | "lots"): Rejection {
  const { code, message, field } = reasonOf(answer);
  const column = field?.replace(/^(body|params)\./, "");
  const named = column && column !== field ? `${message.replace(field!, `column ${column}`)}` : message;
  return { where, id, code, reason: answer.status === 404 && kind === "lots" && field === "params.gtin" ? "no such product of yours: import the products first" : named };
}
