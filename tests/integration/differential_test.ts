// Differential suite: every line of tests/differential/*.redis is sent to a real redis-server
// and to our server, and the raw replies must match byte for byte (see that folder's
// README.md). One test per corpus file, each against fresh servers. Skipped when redis-server
// is not installed. For the full list of differences run scripts/compare_with_redis.ts.

import assert from "node:assert/strict";
import {
  corpusFiles,
  formatMismatch,
  haveRedis,
  runFile,
  startPair,
} from "../differential/runner.ts";
import { skip } from "../helpers/server.ts";

const MAX_REPORTED = 5;

if (!haveRedis()) {
  Deno.test("differential corpus against real Redis", () => {
    skip("differential corpus against real Redis", "redis-server is not installed");
  });
} else {
  for (const file of corpusFiles()) {
    const name = file.slice(file.lastIndexOf("/") + 1);
    Deno.test(`differential: ${name} replies match Redis 7.0 byte for byte`, async () => {
      const mismatches = await runFile(file, () => startPair());
      if (mismatches.length === 0) return;
      // The first mismatch is the one to fix; later ones are often its consequences.
      const shown = mismatches.slice(0, MAX_REPORTED).map(formatMismatch).join("\n");
      const more = mismatches.length > MAX_REPORTED
        ? `\n... and ${
          mismatches.length - MAX_REPORTED
        } more (scripts/compare_with_redis.ts ${name})`
        : "";
      assert.fail(`${mismatches.length} mismatch(es) with Redis in ${name}:\n${shown}${more}`);
    });
  }
}
