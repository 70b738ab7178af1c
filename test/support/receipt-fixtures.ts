// Readers for the frozen vectors under test/fixtures (written once by scripts/gen-fixtures.ts).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
export const RECEIPTS = `${FIXTURES}receipts/`;

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

export interface ValidFixture {
  name: string;
  file: string;
  receipt: unknown;
  offlineStatus: "valid" | "pending";
  content?: Buffer;
  contentFile?: string;
}

export function validReceipts(): ValidFixture[] {
  const index = readJson(`${RECEIPTS}valid/index.json`) as {
    receipts: Record<string, { file: string; offlineStatus: "valid" | "pending"; content?: string }>;
  };
  return Object.entries(index.receipts).map(([name, entry]) => ({
    name,
    file: `${RECEIPTS}${entry.file}`,
    receipt: readJson(`${RECEIPTS}${entry.file}`),
    offlineStatus: entry.offlineStatus,
    ...(entry.content === undefined ? {} : { content: readFileSync(`${RECEIPTS}${entry.content}`), contentFile: `${RECEIPTS}${entry.content}` }),
  }));
}

export interface TamperedFixture {
  name: string;
  description: string;
  expectedFailure: { step: string; code: string };
  receipt: unknown;
  content?: Buffer;
  contentFile?: string;
}

export function tamperedReceipts(): TamperedFixture[] {
  const dir = `${RECEIPTS}tampered/`;
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const vector = readJson(`${dir}${f}`) as Omit<TamperedFixture, "name" | "content"> & { content?: string };
      const { content, ...rest } = vector;
      return {
        name: f.replace(/\.json$/, ""),
        ...rest,
        ...(content === undefined ? {} : { content: readFileSync(`${RECEIPTS}${content}`), contentFile: `${RECEIPTS}${content}` }),
      };
    });
}
