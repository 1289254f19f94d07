// MULTI/EXEC/WATCH through the dispatcher.

import assert from "node:assert/strict";
import { Harness } from "../helpers/harness.ts";

Deno.test("EXEC runs queued commands and propagates them wrapped in MULTI/EXEC", async () => {
  const h = new Harness();
  try {
    assert.deepEqual(h.run("MULTI"), { status: "OK" });
    assert.deepEqual(h.run("SET", "a", "1"), { status: "QUEUED" });
    assert.deepEqual(h.run("SET", "b", "2"), { status: "QUEUED" });
    assert.deepEqual(h.run("EXEC"), [{ status: "OK" }, { status: "OK" }]);
    assert.deepEqual(h.propagated(), [
      ["SELECT", "0"],
      ["MULTI"],
      ["SET", "a", "1"],
      ["SET", "b", "2"],
      ["EXEC"],
    ]);
  } finally {
    await h.close();
  }
});

Deno.test("a command rejected while queueing aborts EXEC", async () => {
  const h = new Harness();
  try {
    h.run("MULTI");
    assert.deepEqual(h.run("NOSUCH"), {
      error: "ERR unknown command 'NOSUCH', with args beginning with: ",
    });
    assert.deepEqual(h.run("EXEC"), {
      error: "EXECABORT Transaction discarded because of previous errors.",
    });
  } finally {
    await h.close();
  }
});

Deno.test("WATCH makes EXEC fail after another client modifies the key", async () => {
  const h = new Harness();
  const other = h.newClient();
  try {
    h.run("WATCH", "k");
    h.runAs(other, "SET", "k", "x");
    h.run("MULTI");
    h.run("SET", "k", "y");
    assert.equal(h.raw(["EXEC"]), "*-1\r\n");
    assert.equal(h.run("GET", "k"), "x");
  } finally {
    await h.close();
  }
});
