// The AI table against rules of the GS1 General Specifications it must agree with.
import t from "tap";
import { isValidKeyQualifierPath, listAis, lookupAi } from "../../src/gs1/index.ts";

// §7.8.5 (figure 7.8.5-2): element strings whose AI starts with these two digits have a
// predefined length and need no FNC1 after them.
const PREDEFINED_LENGTH_PREFIXES = ["00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "31", "32", "33", "34", "35", "36", "41"];

t.test("an FNC1 follows every AI except those of predefined length", async (t) => {
  for (const entry of listAis()) {
    t.equal(entry.fnc1Required, !PREDEFINED_LENGTH_PREFIXES.includes(entry.ai.slice(0, 2)), `(${entry.ai}) ${entry.title}`);
  }
});

t.test("the key qualifiers of a GTIN are 22, 10, 21 in that order, or 235 alone", async (t) => {
  t.ok(isValidKeyQualifierPath(["01"]));
  t.ok(isValidKeyQualifierPath(["01", "22", "10", "21"]));
  t.ok(isValidKeyQualifierPath(["01", "10", "21"]));
  t.ok(isValidKeyQualifierPath(["01", "22", "21"]));
  t.ok(isValidKeyQualifierPath(["01", "235"]));
  t.notOk(isValidKeyQualifierPath(["01", "21", "10"]));
  t.notOk(isValidKeyQualifierPath(["01", "10", "10"]));
  t.notOk(isValidKeyQualifierPath(["01", "21", "235"]));
  t.notOk(isValidKeyQualifierPath(["10", "21"]), "a qualifier is no primary key");
});

t.test("formats read as the General Specifications write them", async (t) => {
  t.equal(lookupAi("01")?.format, "N14");
  t.equal(lookupAi("10")?.format, "X..20");
  t.equal(lookupAi("253")?.format, "N13 [X..17]");
  t.equal(lookupAi("3103")?.format, "N6");
  t.equal(lookupAi("3106"), undefined, "a weight has at most 5 decimals");
  t.equal(lookupAi("17")?.dataAttribute, true);
  t.equal(lookupAi("21")?.dataAttribute, false, "a serial goes in the path, never the query");
});
