// The EPCIS schema's validator is compiled while the app starts (~0.2 s of CPU), so that the first
// capture does not hold up every other request while it compiles.
import t from "tap";
import { documentValidatorCompiled } from "../../src/epcis/schema.ts";
import { buildTestApp } from "../support/app.ts";

t.test("the EPCIS document validator is compiled once the app is ready, before any capture", async (t) => {
  t.equal(documentValidatorCompiled(), false, "importing the schema module compiles nothing");
  const h = await buildTestApp();
  t.teardown(h.close);
  t.equal(documentValidatorCompiled(), true);
});
