import t from "tap";
import { loadConfig } from "../src/config.ts";
import { logFormat } from "../src/logger.ts";

t.test("logs are readable lines on a terminal and JSON through a pipe or into a file", async (t) => {
  t.equal(logFormat(loadConfig({}), true), "pretty");
  t.equal(logFormat(loadConfig({}), false), "json");
});

t.test("LOG_FORMAT overrides the terminal check either way", async (t) => {
  t.equal(logFormat(loadConfig({ LOG_FORMAT: "json" }), true), "json");
  t.equal(logFormat(loadConfig({ LOG_FORMAT: "pretty" }), false), "pretty");
  t.throws(() => loadConfig({ LOG_FORMAT: "yaml" }), /LOG_FORMAT/, "anything else names the variable");
});
