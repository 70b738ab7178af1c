// npm run migrate [-- down | -- down-all]: applies (or reverts) migrations on DATABASE_URL.
import { openDatabase } from "../src/db/connect.ts";
import { migrateDown, migrateToLatest } from "../src/db/migrate.ts";
import { configOrDie, die, firstLine } from "../src/exit.ts";

const config = configOrDie();
if (!config.DATABASE_URL && !config.PGLITE_DATA_DIR) die("set DATABASE_URL (or PGLITE_DATA_DIR): migrating an in-memory database would do nothing");
const direction = process.argv[2] ?? "up";
if (!["up", "down", "down-all"].includes(direction)) die(`usage: npm run migrate [-- up|down|down-all] (got "${direction}")`);

const database = await openDatabase(config).catch((error: unknown) => die(firstLine(error)));
try {
  const lines = direction === "up" ? await migrateToLatest(database.db) : await migrateDown(database.db, direction === "down-all");
  console.log(lines.length ? lines.join("\n") : "nothing to do: the database is up to date");
} catch (error) {
  die(firstLine(error));
} finally {
  await database.close();
}
