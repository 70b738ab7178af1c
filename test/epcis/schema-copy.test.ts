// The service reads the EPCIS 2.0 schema from its own copy (src/epcis/schema/): it must stay the
// file GS1 publishes, byte for byte, as kept in ../shared/gs1/.
import t from "tap";
import { readFileSync } from "node:fs";
import { sharedGs1File } from "../support/shared-gs1.ts";

t.test("the repository's EPCIS-JSON-Schema.json is byte-identical to ../shared/gs1's", async (t) => {
  const copy = readFileSync(new URL("../../src/epcis/schema/EPCIS-JSON-Schema.json", import.meta.url));
  const published = readFileSync(sharedGs1File("EPCIS-JSON-Schema.json"));
  t.ok(copy.equals(published), "the copy differs: copy the published file again, never edit it");
});
