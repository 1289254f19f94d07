// RDB loader fuzz: DUMP payloads of every type and encoding (ours, and real Redis's when
// redis-server is installed) are mutated (bit flips, truncation, inserted bytes, huge length
// fields) with the CRC recomputed, so the parser itself must reject them: RESTORE must reply OK
// or "ERR Bad data format", and an accepted value must read back without internal errors.
// Mutated whole RDB files go through the server's loader, which must fail cleanly. Seed:
// FUZZ_SEED (printed); scripts/fuzz.ts runs the same fuzzers for longer.

import assert from "node:assert/strict";
import {
  captureInternalErrors,
  ourDumpPayloads,
  rdbFileFuzz,
  redisDumpPayloads,
  restoreFuzz,
} from "../helpers/fuzz.ts";
import { withHarness } from "../helpers/harness.ts";
import { skip, startRedis } from "../helpers/server.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? "20240607");
const SECONDS = Number(Deno.env.get("FUZZ_SECONDS") ?? "1");

Deno.test("RESTORE of mutated DUMP payloads replies OK or Bad data format, never crashes", async () => {
  console.log(`RESTORE fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED})`);
  await withHarness(async (h) => {
    const corpus = ourDumpPayloads(h);
    const redis = await startRedis();
    if (redis === null) skip("RESTORE fuzz with real Redis payloads", "redis-server not installed");
    else {
      try {
        corpus.push(...await redisDumpPayloads(redis.port));
      } finally {
        await redis.close();
      }
    }
    // Every unmutated payload restores.
    for (const p of corpus) {
      assert.equal(
        h.raw(["RESTORE", "orig", "0", String.fromCharCode(...p), "REPLACE"]),
        "+OK\r\n",
      );
    }
    const { result, errors } = await captureInternalErrors(() =>
      Promise.resolve(restoreFuzz(h, corpus, { seed: SEED, seconds: SECONDS }))
    );
    console.log(
      `${corpus.length} payloads, ${result.restores} restores, ${result.accepted} accepted`,
    );
    assert.deepEqual([...result.failures, ...errors], []);
  });
});

Deno.test("the RDB loader fails cleanly on mutated files", async () => {
  console.log(`RDB file fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED})`);
  const dir = await Deno.makeTempDir({ prefix: "rdb-fuzz-" });
  try {
    await withHarness(async (h) => {
      const corpus = [
        await Deno.readFile(new URL("../fixtures/redis7_dataset.rdb.bin", import.meta.url)),
      ];
      ourDumpPayloads(h); // leaves the keyspace empty; fill it for SAVE
      const { datasetCommands } = await import("../fixtures/dataset.ts");
      for (const argv of datasetCommands()) h.raw(argv);
      h.raw(["SAVE"]);
      corpus.push(await Deno.readFile(`${dir}/dump.rdb`));
      const { result, errors } = await captureInternalErrors(() =>
        rdbFileFuzz(h, corpus, dir, { seed: SEED, seconds: SECONDS })
      );
      console.log(`${result.loads} loads, ${result.loaded} loaded`);
      assert.deepEqual([...result.failures, ...errors], []);
    }, ["--dir", dir]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
