// Random serials for AI (21): unguessable, within GS1 character set 82, never percent-encoded.
import t from "tap";
import { CHARSET_82, MAX_SERIAL_LENGTH, percentEncode, randomSerial, SERIAL_ALPHABET, SERIAL_ALPHABET_UPPER, serialEntropyBits } from "../../src/gs1/index.ts";

t.test("the GS1 character set 82 has 82 distinct characters and the serial alphabets are inside it", async (t) => {
  t.equal(new Set(CHARSET_82).size, 82);
  t.equal(CHARSET_82.length, 82);
  for (const c of SERIAL_ALPHABET + SERIAL_ALPHABET_UPPER) t.ok(CHARSET_82.includes(c), c);
});

t.test("a 12-character serial carries more than 64 bits (about 71)", async (t) => {
  t.ok(serialEntropyBits(12) > 71 && serialEntropyBits(12) < 72);
  t.ok(serialEntropyBits(11) > 64, "11 characters are already enough");
  t.ok(serialEntropyBits(13, SERIAL_ALPHABET_UPPER) > 64, "13 upper-case characters too");
});

t.test("serials have the asked length, use only the alphabet and need no percent-encoding", async (t) => {
  for (let i = 0; i < 200; i++) {
    const serial = randomSerial(12);
    t.equal(serial.length, 12);
    t.equal(percentEncode(serial), serial);
    t.match(serial, /^[0-9A-Za-z]{12}$/);
  }
  t.match(randomSerial(MAX_SERIAL_LENGTH, SERIAL_ALPHABET_UPPER), /^[0-9A-Z]{20}$/);
});

t.test("every character of the alphabet is about equally likely (chi-squared)", async (t) => {
  const counts = new Map<string, number>();
  const draws = 62 * 1000;
  for (let i = 0; i < draws / 20; i++) for (const c of randomSerial(20)) counts.set(c, (counts.get(c) ?? 0) + 1);
  t.equal(counts.size, 62, "every character appears");
  const expected = draws / 62;
  const chiSquared = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
  // 61 degrees of freedom: P(χ² > 125) ≈ 3 × 10^-6, so the test does not flake. Taking byte % 62
  // without rejection (8 characters 25% likelier) gives χ² ≈ 400 at this sample size.
  t.ok(chiSquared < 125, `χ² = ${chiSquared.toFixed(1)}`);
});

t.test("refuses lengths AI (21) cannot hold and alphabets that are no alphabet", async (t) => {
  for (const length of [0, -1, 21, 1.5]) t.throws(() => randomSerial(length), RangeError, `length ${length}`);
  t.throws(() => randomSerial(10, "A"), RangeError);
  t.throws(() => randomSerial(10, "AAB"), RangeError);
});

t.test("1,000 serials of 12 characters never repeat", async (t) => {
  t.equal(new Set(Array.from({ length: 1000 }, () => randomSerial(12))).size, 1000);
});
