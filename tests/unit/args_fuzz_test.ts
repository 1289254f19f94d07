// Argument fuzz: every command in the table is called with hostile arguments (huge counts,
// negative numbers, NaN/inf, enormous ranges) against small keys of every type. A call must
// return within the bound, never with "ERR internal error" (a handler threw something other
// than a ReplyError), and the heap must not grow in proportion to an argument. Seed:
// FUZZ_SEED (printed); scripts/fuzz.ts runs the same fuzzer for longer.

import assert from "node:assert/strict";
import { argFuzz, captureInternalErrors } from "../helpers/fuzz.ts";
import { withHarness } from "../helpers/harness.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? "20240607");
const SECONDS = Number(Deno.env.get("FUZZ_SECONDS") ?? "1.5");

Deno.test("every command survives hostile arguments without internal errors or hangs", async () => {
  console.log(`argument fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED})`);
  await withHarness(async (h) => {
    const { result, errors } = await captureInternalErrors(() =>
      Promise.resolve(argFuzz(h, { seed: SEED, seconds: SECONDS }))
    );
    console.log(
      `${result.calls} calls; slowest ${result.slowest.ms.toFixed(1)} ms: ${
        JSON.stringify(result.slowest.argv)
      }`,
    );
    assert.deepEqual([...result.failures, ...errors], []);
  });
});
