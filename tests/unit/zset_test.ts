// The sorted set structure (src/store/types/zset.ts) against a naive model: a sorted array of
// [score, member] pairs. Random inserts, removals, score updates and range deletions, then
// every query (ranks, range bounds, counts) is compared with the model, and the B+tree's
// count bookkeeping is checked through at()/rank() on every position, at sizes that split and
// merge leaves and inner nodes.

import assert from "node:assert/strict";
import {
  type LexRange,
  lexRangeEmpty,
  type ScoreRange,
  scoreRangeEmpty,
  ZSet,
} from "../../src/store/types/zset.ts";

type Pair = [number, string];

function cmpPair(a: Pair, b: Pair): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

// A tiny deterministic PRNG so a failure can be replayed.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function pairs(z: ZSet): Pair[] {
  const out: Pair[] = [];
  const it = z.first();
  if (it !== null) { do out.push([it.score, it.ele]); while (it.next()); }
  return out;
}

function backwards(z: ZSet): Pair[] {
  const out: Pair[] = [];
  const it = z.last();
  if (it !== null) { do out.push([it.score, it.ele]); while (it.prev()); }
  return out.reverse();
}

function viaForEach(z: ZSet, reverse: boolean): Pair[] {
  const out: Pair[] = [];
  z.forEach(reverse, (e, s) => {
    out.push([s, e]);
  });
  return reverse ? out.reverse() : out;
}

function inScore(v: number, r: ScoreRange): boolean {
  return (r.minex ? v > r.min : v >= r.min) && (r.maxex ? v < r.max : v <= r.max);
}

function cmpBound(v: string, b: string, kind: number): number {
  if (kind !== 0) return -kind;
  return v < b ? -1 : v > b ? 1 : 0;
}

function inLex(v: string, r: LexRange): boolean {
  const lo = cmpBound(v, r.min, r.minKind);
  const hi = cmpBound(v, r.max, r.maxKind);
  return (r.minex ? lo > 0 : lo >= 0) && (r.maxex ? hi < 0 : hi <= 0);
}

function checkAgainst(z: ZSet, model: Pair[]): void {
  model.sort(cmpPair);
  assert.equal(z.size, model.length);
  assert.deepEqual(pairs(z), model);
  assert.deepEqual(backwards(z), model);
  assert.deepEqual(viaForEach(z, false), model);
  assert.deepEqual(viaForEach(z, true), model);
  for (let i = 0; i < model.length; i++) {
    const it = z.at(i);
    assert.ok(it !== null);
    assert.equal(it.ele, model[i][1]);
    assert.ok(Object.is(it.score, model[i][0]));
    assert.equal(z.rank(model[i][1], false), i);
    assert.equal(z.rank(model[i][1], true), model.length - 1 - i);
    assert.ok(Object.is(z.score(model[i][1]), model[i][0]));
  }
  assert.equal(z.at(model.length), null);
  assert.equal(z.at(-1), null);
}

const MEMBERS = "abcdefghijklmnopqrstuvwxyz".split("").flatMap((
  c,
) => [c, c + c, c + "\x00", c + "\xff"]);
const SCORES = [-Infinity, -3, -1.5, 0, 0, 1, 1, 2, 2.5, 10, Infinity];

Deno.test("random inserts, removals and score updates match a sorted-array model", () => {
  for (const seed of [1, 2, 3, 42]) {
    const rand = rng(seed);
    const z = new ZSet();
    z.listpack = false;
    const model = new Map<string, number>();
    for (let step = 0; step < 2000; step++) {
      const ele = MEMBERS[Math.floor(rand() * MEMBERS.length)];
      const score = SCORES[Math.floor(rand() * SCORES.length)] + (rand() < 0.3 ? rand() : 0);
      const op = rand();
      const cur = z.dict.get(ele);
      if (op < 0.5) {
        if (cur === undefined) z.insert(score, ele);
        else z.setScore(ele, score);
        model.set(ele, score);
      } else if (op < 0.8) {
        assert.equal(z.remove(ele), model.delete(ele));
      } else {
        const r: ScoreRange = {
          min: SCORES[Math.floor(rand() * SCORES.length)],
          max: SCORES[Math.floor(rand() * SCORES.length)],
          minex: rand() < 0.5,
          maxex: rand() < 0.5,
        };
        const sorted = [...model].map(([m, s]) => [s, m] as Pair).sort(cmpPair);
        const want = sorted.filter((p) => inScore(p[0], r));
        assert.equal(z.countInRange(r), want.length);
        const first = z.firstInRange(r);
        const last = z.lastInRange(r);
        assert.equal(first < 0 ? null : z.at(first)!.ele, want[0]?.[1] ?? null);
        assert.equal(last < 0 ? null : z.at(last)!.ele, want.at(-1)?.[1] ?? null);
        if (rand() < 0.2) {
          assert.equal(z.deleteRangeByScore(r), want.length);
          for (const p of want) model.delete(p[1]);
        }
      }
      if (step % 97 === 0) checkAgainst(z, [...model].map(([m, s]) => [s, m]));
    }
    checkAgainst(z, [...model].map(([m, s]) => [s, m]));
  }
});

Deno.test("lex ranges, lex deletion and rank deletion match the model", () => {
  const rand = rng(7);
  for (let round = 0; round < 200; round++) {
    const z = new ZSet();
    z.listpack = false;
    const model: Pair[] = [];
    const n = Math.floor(rand() * 30);
    const used = new Set<string>();
    for (let i = 0; i < n; i++) {
      const ele = MEMBERS[Math.floor(rand() * MEMBERS.length)];
      if (used.has(ele)) continue;
      used.add(ele);
      z.insert(0, ele);
      model.push([0, ele]);
    }
    model.sort(cmpPair);
    const pick = () => {
      const x = rand();
      if (x < 0.1) return { v: "", kind: -1 };
      if (x < 0.2) return { v: "", kind: 1 };
      return { v: MEMBERS[Math.floor(rand() * MEMBERS.length)], kind: 0 };
    };
    const a = pick();
    const b = pick();
    const r: LexRange = {
      min: a.v,
      max: b.v,
      minKind: a.kind,
      maxKind: b.kind,
      minex: a.kind !== 0 || rand() < 0.5,
      maxex: b.kind !== 0 || rand() < 0.5,
    };
    const want = model.filter((p) => inLex(p[1], r));
    assert.equal(z.countInLex(r), want.length);
    const first = z.firstInLex(r);
    const last = z.lastInLex(r);
    assert.equal(first < 0 ? null : z.at(first)!.ele, want[0]?.[1] ?? null);
    assert.equal(last < 0 ? null : z.at(last)!.ele, want.at(-1)?.[1] ?? null);
    if (round % 2 === 0) {
      assert.equal(z.deleteRangeByLex(r), want.length);
      checkAgainst(z, model.filter((p) => !inLex(p[1], r)));
    } else if (model.length > 0) {
      const s = Math.floor(rand() * model.length);
      const e = s + Math.floor(rand() * (model.length - s));
      assert.equal(z.deleteRangeByRank(s, e), e - s + 1);
      checkAgainst(z, model.filter((_, i) => i < s || i > e));
    }
  }
});

Deno.test("empty-range detection follows Redis's bounds rules", () => {
  const sr = (min: number, max: number, minex = false, maxex = false) => ({
    min,
    max,
    minex,
    maxex,
  });
  assert.equal(scoreRangeEmpty(sr(2, 1)), true);
  assert.equal(scoreRangeEmpty(sr(1, 1)), false);
  assert.equal(scoreRangeEmpty(sr(1, 1, true)), true);
  assert.equal(scoreRangeEmpty(sr(-Infinity, Infinity)), false);
  const lr = (min: string, minKind: number, max: string, maxKind: number, ex = false) => ({
    min,
    max,
    minKind,
    maxKind,
    minex: ex,
    maxex: ex,
  });
  assert.equal(lexRangeEmpty(lr("", -1, "", 1)), false);
  assert.equal(lexRangeEmpty(lr("", 1, "", -1)), true);
  assert.equal(lexRangeEmpty(lr("", 1, "", 1, true)), true);
  assert.equal(lexRangeEmpty(lr("b", 0, "a", 0)), true);
  assert.equal(lexRangeEmpty(lr("a", 0, "a", 0)), false);
  assert.equal(lexRangeEmpty(lr("a", 0, "a", 0, true)), true);
});

Deno.test("ties order by member bytes, including NUL and 0xff", () => {
  const z = new ZSet();
  for (const m of ["b", "a\xff", "a", "a\x00", "\xff", ""]) z.insert(1, m);
  assert.deepEqual(pairs(z).map((p) => p[1]), ["", "a", "a\x00", "a\xff", "b", "\xff"]);
});

Deno.test("a listpack-encoded set stores -0 as 0, a skiplist keeps -0", () => {
  const lp = new ZSet();
  lp.insert(-0, "m");
  assert.ok(Object.is(lp.score("m"), 0));
  const sl = new ZSet();
  sl.listpack = false;
  sl.insert(-0, "m");
  assert.ok(Object.is(sl.score("m"), -0));
  sl.toListpack();
  assert.ok(Object.is(sl.score("m"), 0));
  assert.equal(sl.encoding(), "listpack");
});

Deno.test("growCheck converts to skiplist on entries or member length, never back", () => {
  const z = new ZSet();
  z.growCheck(3, 2, 10);
  z.insert(1, "abc");
  z.growCheck(3, 2, 10);
  z.insert(2, "def");
  assert.equal(z.encoding(), "listpack");
  z.growCheck(3, 2, 10);
  assert.equal(z.encoding(), "skiplist");
  const y = new ZSet();
  y.growCheck(11, 128, 10);
  assert.equal(y.encoding(), "skiplist");
  assert.equal(new ZSet().fitsListpack(0, 0), true);
});

Deno.test("setScore keeps the order whether it moves the member or not", () => {
  const z = new ZSet();
  z.listpack = false;
  for (let i = 0; i < 10; i++) z.insert(i, `m${i}`);
  z.setScore("m5", 5.5);
  z.setScore("m0", 100);
  z.setScore("m9", -1);
  checkAgainst(z, [
    [-1, "m9"],
    [1, "m1"],
    [2, "m2"],
    [3, "m3"],
    [4, "m4"],
    [5.5, "m5"],
    [6, "m6"],
    [7, "m7"],
    [8, "m8"],
    [100, "m0"],
  ]);
});

Deno.test("clone is deep and keeps the encoding", () => {
  const z = new ZSet();
  z.listpack = false;
  for (let i = 0; i < 50; i++) z.insert(i % 7, `m${i}`);
  const c = z.clone();
  assert.deepEqual(pairs(c), pairs(z));
  assert.equal(c.encoding(), "skiplist");
  c.remove("m1");
  assert.equal(z.size, 50);
  assert.equal(c.size, 49);
  checkAgainst(c, pairs(c));
});

Deno.test("memoryUsage grows with the set and samples skiplists", () => {
  const z = new ZSet();
  const small = z.memoryUsage(5);
  for (let i = 0; i < 100; i++) z.insert(i, `member:${i}`);
  const lp = z.memoryUsage(5);
  assert.ok(lp > small);
  z.listpack = false;
  const sl = z.memoryUsage(5);
  assert.ok(sl > lp, `skiplist ${sl} > listpack ${lp}`);
  assert.ok(Math.abs(z.memoryUsage(0) - sl) < sl * 0.2);
});

Deno.test("large sets split and merge nodes and keep counts right", () => {
  const rand = rng(99);
  const z = new ZSet();
  z.listpack = false;
  const model = new Map<string, number>();
  // Grow past several levels of inner nodes (64 x 64 leaves hold 262144 at most per level).
  for (let i = 0; i < 30000; i++) {
    const ele = `m${Math.floor(rand() * 40000)}`;
    const score = Math.floor(rand() * 1000) / 4;
    if (model.has(ele)) z.setScore(ele, score);
    else z.insert(score, ele);
    model.set(ele, score);
  }
  checkAgainst(z, [...model].map(([m, s]) => [s, m]));
  // Shrink by removals and range deletions down to a handful, then back up.
  const keys = [...model.keys()];
  for (let i = 0; i < keys.length; i += 2) {
    z.remove(keys[i]);
    model.delete(keys[i]);
  }
  checkAgainst(z, [...model].map(([m, s]) => [s, m]));
  const r: ScoreRange = { min: 10, max: 200, minex: false, maxex: true };
  const gone = [...model].filter(([, s]) => inScore(s, r));
  assert.equal(z.deleteRangeByScore(r), gone.length);
  for (const [m] of gone) model.delete(m);
  assert.equal(z.deleteRangeByRank(0, 9), 10);
  const sorted = [...model].map(([m, s]) => [s, m] as Pair).sort(cmpPair);
  for (const p of sorted.slice(0, 10)) model.delete(p[1]);
  checkAgainst(z, [...model].map(([m, s]) => [s, m]));
  while (z.size > 3) {
    const it = z.first()!;
    z.remove(it.ele);
    model.delete(it.ele);
  }
  checkAgainst(z, [...model].map(([m, s]) => [s, m]));
  for (let i = 0; i < 500; i++) {
    z.insert(i, `again${i}`);
    model.set(`again${i}`, i);
  }
  checkAgainst(z, [...model].map(([m, s]) => [s, m]));
});

Deno.test("a listpack set answers lex ranges by Redis's linear scan, even for mixed scores", () => {
  const z = new ZSet();
  z.insert(1, "b");
  z.insert(2, "a");
  z.insert(3, "c");
  // Order: b(1) a(2) c(3). zzlFirstInLexRange finds "b" (>= "[b") first.
  const r: LexRange = { min: "b", max: "c", minex: false, maxex: false, minKind: 0, maxKind: 0 };
  assert.equal(z.firstInLex(r), 0);
  assert.equal(z.lastInLex(r), 2);
  assert.equal(z.countInLex(r), 3);
});
