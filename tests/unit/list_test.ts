// The list deque (src/store/types/list.ts): both ends, wrap-around, growth and shrinking,
// inserts and removals in the middle, LREM-style removal, ranges, clone, and the quicklist
// model behind MEMORY USAGE (figures taken from a real Redis 7.0.15).

import assert from "node:assert/strict";
import { HEAD, ListValue, lpEntrySize, TAIL } from "../../src/store/types/list.ts";

function items(l: ListValue): string[] {
  return [...l];
}

Deno.test({
  name: "pushes and pops at both ends keep order across wrap-around and growth",
  permissions: "none",
  fn() {
    const l = new ListValue();
    for (let i = 0; i < 5; i++) l.pushHead(`h${i}`);
    for (let i = 0; i < 5; i++) l.pushTail(`t${i}`);
    assert.equal(l.length, 10);
    assert.deepEqual(items(l), ["h4", "h3", "h2", "h1", "h0", "t0", "t1", "t2", "t3", "t4"]);
    assert.equal(l.popHead(), "h4");
    assert.equal(l.popTail(), "t4");
    assert.equal(l.pop(HEAD), "h3");
    assert.equal(l.pop(TAIL), "t3");
    l.push("x", HEAD);
    l.push("y", TAIL);
    assert.deepEqual(items(l), ["x", "h2", "h1", "h0", "t0", "t1", "t2", "y"]);
    assert.equal(l.get(0), "x");
    assert.equal(l.get(7), "y");
  },
});

Deno.test({
  name: "popping an empty list returns undefined and isEmpty tracks the length",
  permissions: "none",
  fn() {
    const l = new ListValue();
    assert.equal(l.isEmpty(), true);
    assert.equal(l.popHead(), undefined);
    assert.equal(l.popTail(), undefined);
    l.pushTail("a");
    assert.equal(l.isEmpty(), false);
    assert.equal(l.popHead(), "a");
    assert.equal(l.isEmpty(), true);
    assert.equal(l.encoding(), "quicklist");
  },
});

Deno.test({
  name: "a large list grows, drains and shrinks without losing elements",
  permissions: "none",
  fn() {
    const l = new ListValue();
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) l.pushTail(String(i));
      else l.pushHead(String(i));
    }
    assert.equal(l.length, n);
    assert.equal(l.get(0), String(n - 1));
    assert.equal(l.get(n - 1), String(n - 2));
    for (let i = 0; i < n - 3; i++) l.popHead();
    assert.deepEqual(items(l), [String(n - 6), String(n - 4), String(n - 2)]);
  },
});

Deno.test({
  name: "index resolves negative positions and rejects out of range ones",
  permissions: "none",
  fn() {
    const l = ListValue.from(["a", "b", "c"]);
    assert.equal(l.index(0), 0);
    assert.equal(l.index(-1), 2);
    assert.equal(l.index(-3), 0);
    assert.equal(l.index(-4), -1);
    assert.equal(l.index(3), -1);
    l.set(l.index(-1), "z");
    assert.deepEqual(items(l), ["a", "b", "z"]);
  },
});

Deno.test({
  name: "insert and removeAt shift whichever side is shorter",
  permissions: "none",
  fn() {
    const model: string[] = [];
    const l = new ListValue();
    for (let i = 0; i < 20; i++) {
      l.pushTail(`e${i}`);
      model.push(`e${i}`);
    }
    for (const at of [0, 1, 5, 10, 19, 21, 22]) {
      l.insert(at, `i${at}`);
      model.splice(at, 0, `i${at}`);
      assert.deepEqual(items(l), model, `insert at ${at}`);
    }
    for (const pos of [0, 3, 12, 22, -2, 1]) {
      const at = pos < 0 ? model.length + pos : pos;
      l.removeAt(at);
      model.splice(at, 1);
      assert.deepEqual(items(l), model, `remove at ${at}`);
    }
  },
});

Deno.test({
  name: "removeMatches removes from the head, from the tail, or all, up to a limit",
  permissions: "none",
  fn() {
    const base = ["a", "b", "a", "c", "a", "b", "a"];
    let l = ListValue.from(base);
    assert.equal(l.removeMatches("a", 2, false), 2);
    assert.deepEqual(items(l), ["b", "c", "a", "b", "a"]);
    l = ListValue.from(base);
    assert.equal(l.removeMatches("a", 2, true), 2);
    assert.deepEqual(items(l), ["a", "b", "a", "c", "b"]);
    l = ListValue.from(base);
    assert.equal(l.removeMatches("a", 0, false), 4);
    assert.deepEqual(items(l), ["b", "c", "b"]);
    assert.equal(l.removeMatches("zz", 0, true), 0);
    assert.equal(l.removeMatches("b", 0, true), 2);
    assert.deepEqual(items(l), ["c"]);
    // After wrap-around too.
    l = new ListValue();
    for (const s of ["x", "a", "y"]) l.pushHead(s);
    for (const s of ["a", "z", "a"]) l.pushTail(s);
    assert.equal(l.removeMatches("a", 0, true), 3);
    assert.deepEqual(items(l), ["y", "x", "z"]);
  },
});

Deno.test({
  name: "removeHead, removeTail and range (forward and reversed)",
  permissions: "none",
  fn() {
    const l = ListValue.from(["0", "1", "2", "3", "4", "5", "6"]);
    assert.deepEqual(l.range(1, 3), ["1", "2", "3"]);
    assert.deepEqual(l.range(4, 6, true), ["6", "5", "4"]);
    l.removeHead(2);
    l.removeTail(3);
    assert.deepEqual(items(l), ["2", "3"]);
    l.removeHead(2);
    assert.equal(l.isEmpty(), true);
  },
});

Deno.test({
  name: "indexOf finds the first match from the head",
  permissions: "none",
  fn() {
    const l = ListValue.from(["a", "b", "a"]);
    assert.equal(l.indexOf("a"), 0);
    assert.equal(l.indexOf("b"), 1);
    assert.equal(l.indexOf("c"), -1);
  },
});

Deno.test({
  name: "clone shares no state with the original and keeps the fill",
  permissions: "none",
  fn() {
    const l = new ListValue(5);
    for (let i = 0; i < 50; i++) l.pushHead(String(i));
    const c = l.clone();
    l.popHead();
    l.set(0, "changed");
    c.pushTail("more");
    assert.equal(c.length, 51);
    assert.equal(c.get(0), "49");
    assert.equal(c.get(50), "more");
    assert.equal(c.fill, 5);
    assert.equal(l.length, 49);
  },
});

Deno.test({
  name: "the fill is clamped to what quicklist accepts",
  permissions: "none",
  fn() {
    assert.equal(new ListValue(-9).fill, -5);
    assert.equal(new ListValue(100000).fill, 32767);
    assert.equal(new ListValue().fill, -2);
  },
});

Deno.test({
  name: "listpack entry sizes follow listpack.c's encodings",
  permissions: "none",
  fn() {
    assert.equal(lpEntrySize("1"), 2);
    assert.equal(lpEntrySize("-5"), 3);
    assert.equal(lpEntrySize("123456"), 5);
    assert.equal(lpEntrySize("99999999999"), 10);
    assert.equal(lpEntrySize("hello"), 7);
    assert.equal(lpEntrySize("01"), 4); // not a canonical integer: a string
    assert.equal(lpEntrySize("x".repeat(100)), 103);
  },
});

Deno.test({
  name: "memoryUsage and serializedLength match Redis 7.0 for one-node lists",
  permissions: "none",
  fn() {
    // MEMORY USAGE minus the key's 8 and the dict entry's 24 bytes on a real server.
    assert.equal(ListValue.from(["a", "b", "c"]).memoryUsage(5), 112);
    assert.equal(ListValue.from(["1"]).memoryUsage(5), 112);
    const m = ListValue.from(["hello", "123456", "-5", "99999999999"]);
    assert.equal(m.memoryUsage(5), 128);
    assert.equal(m.serializedLength(), 35);
  },
});

Deno.test({
  name: "memoryUsage packs quicklist nodes as Redis 7.0 does",
  permissions: "none",
  fn() {
    // 2000 elements e0..e1999 at fill -1 are 4 nodes in Redis (MEMORY USAGE 13304).
    const a = new ListValue(-1);
    for (let i = 0; i < 2000; i++) a.pushTail("e" + i);
    assert.equal(a.memoryUsage(Number.MAX_SAFE_INTEGER) + 32, 13304);
    // 300 growing strings at the default fill: 82408 sampling 5 nodes, 78312 sampling all.
    const b = new ListValue();
    for (let i = 0; i < 300; i++) b.pushTail("x".repeat(100 + i));
    assert.equal(b.memoryUsage(5) + 32, 82408);
    assert.equal(b.memoryUsage(Number.MAX_SAFE_INTEGER) + 32, 78312);
    // A count fill of 5 with 23 elements: 448.
    const c = new ListValue(5);
    for (let i = 0; i < 23; i++) c.pushTail("e" + i);
    assert.equal(c.memoryUsage(Number.MAX_SAFE_INTEGER) + 32, 448);
  },
});

Deno.test({
  name: "random operations agree with an array model",
  permissions: "none",
  fn() {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const l = new ListValue();
    const model: string[] = [];
    for (let step = 0; step < 20000; step++) {
      const op = rnd(10);
      const v = String(rnd(20));
      if (op === 0) {
        l.pushHead(v);
        model.unshift(v);
      } else if (op === 1 || op === 2) {
        l.pushTail(v);
        model.push(v);
      } else if (op === 3) {
        assert.equal(l.popHead(), model.shift());
      } else if (op === 4) {
        assert.equal(l.popTail(), model.pop());
      } else if (op === 5) {
        const at = rnd(model.length + 1);
        l.insert(at, v);
        model.splice(at, 0, v);
      } else if (op === 6 && model.length > 0) {
        const at = rnd(model.length);
        l.removeAt(at);
        model.splice(at, 1);
      } else if (op === 7) {
        const limit = rnd(3);
        const fromTail = rnd(2) === 1;
        let removed = 0;
        if (!fromTail) {
          for (let i = 0; i < model.length;) {
            if (model[i] === v && (limit === 0 || removed < limit)) {
              model.splice(i, 1);
              removed++;
            } else i++;
          }
        } else {
          for (let i = model.length - 1; i >= 0; i--) {
            if (model[i] === v && (limit === 0 || removed < limit)) {
              model.splice(i, 1);
              removed++;
            }
          }
        }
        assert.equal(l.removeMatches(v, limit, fromTail), removed);
      } else if (op === 8 && model.length > 0) {
        const n = rnd(Math.min(model.length, 3) + 1);
        l.removeHead(n);
        model.splice(0, n);
      } else if (op === 9 && model.length > 0) {
        const n = rnd(Math.min(model.length, 3) + 1);
        l.removeTail(n);
        model.splice(model.length - n, n);
      }
      assert.equal(l.length, model.length);
      if (step % 97 === 0) assert.deepEqual(items(l), model);
    }
    assert.deepEqual(items(l), model);
  },
});
