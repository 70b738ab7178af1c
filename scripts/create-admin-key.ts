// npm run admin:create-key [-- "label"]: issues an admin API key on DATABASE_URL and prints it once.
// This is how the first admin key is made in real mode; embedded mode prints one at start.
import { issueApiKey } from "../src/auth/api-keys.ts";
import { openDatabase } from "../src/db/connect.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { configOrDie, die, firstLine } from "../src/exit.ts";

const config = configOrDie();
if (!config.DATABASE_URL && !config.PGLITE_DATA_DIR) die("set DATABASE_URL: a key in an in-memory database would vanish at once");
const database = await openDatabase(config).catch((error: unknown) => die(firstLine(error)));
try {
  await migrateToLatest(database.db);
  const key = await issueApiKey(database.db, { role: "admin", label: process.argv[2] ?? "created with admin:create-key" });
  process.stderr.write(`admin key ${key.keyId} created; the token below is shown once:\n`);
  console.log(key.token);
} catch (error) {
  die(firstLine(error));
} finally {
  await database.close();
}
