// GTIN check digits and normalisation (GS1 General Specifications §3.3.2, §7.9.1).
import t from "tap";
import { gs1CheckDigit, isValidGtin, toGtin14 } from "../../src/gs1/index.ts";

// Valid GTINs of each length from GS1's own examples and the Syntax Engine's test data.
const VALID = {
  "GTIN-8": "02345673",
  "GTIN-12": "416000336108",
  "GTIN-13": "9520123456788",
  "GTIN-14": "09520123456788",
};

for (const [kind, gtin] of Object.entries(VALID)) {
  t.test(`accepts the ${kind} ${gtin} and refuses it with any other check digit`, async (t) => {
    t.ok(isValidGtin(gtin));
    for (let digit = 0; digit <= 9; digit++) {
      const other = gtin.slice(0, -1) + digit;
      if (other !== gtin) t.notOk(isValidGtin(other), `${other} has the wrong check digit`);
    }
  });
}

t.test("computes the check digit with weights 3, 1, 3… from the right, excluding the check digit", async (t) => {
  // 952012345678: from the right 8·3 + 7·1 + 6·3 + 5·1 + 4·3 + 3·1 + 2·3 + 1·1 + 0·3 + 2·1 + 5·3 + 9·1 = 102 → 8
  t.equal(gs1CheckDigit("952012345678"), 8);
  t.equal(gs1CheckDigit("0952012345678"), 8, "leading zeros do not change it");
  t.equal(gs1CheckDigit("0000000000000"), 0, "a sum that is already a multiple of ten gives 0");
});

t.test("refuses GTINs of other lengths and with non-digits", async (t) => {
  for (const bad of ["", "1234567", "123456789", "95201234567881", "095201234567880", "952012345678X", "9520123456788 ", "９５２０１２３４５６７８８"]) {
    t.notOk(isValidGtin(bad), JSON.stringify(bad));
  }
});

t.test("normalises every GTIN length to 14 digits by left zero-padding", async (t) => {
  t.equal(toGtin14("02345673"), "00000002345673");
  t.equal(toGtin14("416000336108"), "00416000336108");
  t.equal(toGtin14("9520123456788"), "09520123456788");
  t.equal(toGtin14("09520123456788"), "09520123456788");
  t.equal(toGtin14("9520123456789"), null, "nothing for a wrong check digit");
});
