import { randomUUID } from "node:crypto";
import type { Db } from "../db/database.ts";

export interface Merchant {
  id: string;
  name: string;
  createdAt: string;
}

export async function createMerchant(db: Db, name: string): Promise<Merchant> {
  const row = await db
    .insertInto("merchants")
    .values({ id: randomUUID(), name })
    .returning(["id", "name", "created_at"])
    .executeTakeFirstOrThrow();
  return { id: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString() };
}

export async function findMerchant(db: Db, id: string): Promise<Merchant | null> {
  const row = await db.selectFrom("merchants").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? { id: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString() } : null;
}
