// Number parsing and formatting exactly as Redis: string2ll (strict 64-bit integers),
// string2ld/strtold-style floats with inf, and the %.17g formatting of doubles.

const MAX_I64 = 9223372036854775807n;
const MIN_I64 = -9223372036854775808n;

/**
 * Redis string2ll: optional '-', digits, no '+', no spaces, no leading zeros, 64-bit range.
 * @returns a number when it is a safe integer, a bigint when beyond 2^53, or null
 */
export function parseI64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (n === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  if (v <= Number.MAX_SAFE_INTEGER) return neg ? -v : v;
  const b = BigInt(s);
  if (b > MAX_I64 || b < MIN_I64) return null;
  return b;
}

/** Like parseI64 but only accepts values that fit a safe JS number (counts, indexes, times). */
export function parseSafeInt(s: string): number | null {
  const v = parseI64(s);
  if (v === null) return null;
  if (typeof v === "bigint") {
    // Out of safe range but valid 64-bit: clamp so range checks behave like Redis's long long.
    return v > 0n ? Number.MAX_SAFE_INTEGER + 1 : Number.MIN_SAFE_INTEGER - 1;
  }
  return v;
}

/** A value as a bigint, for overflow-checked INCR arithmetic. */
export function toBig(v: number | bigint): bigint {
  return typeof v === "bigint" ? v : BigInt(v);
}

/** True when a bigint fits a signed 64-bit integer. */
export function fitsI64(v: bigint): boolean {
  return v >= MIN_I64 && v <= MAX_I64;
}

/** An integer result as number when safe, else bigint. */
export function normInt(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

const DEC_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;

/**
 * Redis getDoubleFromObject (strtod plus its checks): the whole string must parse, no leading
 * space, "inf"/"infinity" in any case allowed, nan rejected, and a value that overflows to
 * infinity or underflows to zero (ERANGE) rejected. Hex floats are accepted as strtod does.
 * @returns the value, or null when invalid
 */
export function parseFloatStrict(s: string): number | null {
  const n = s.length;
  if (n === 0) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  if (DEC_RE.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) return null; // overflow
    if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ""))) return null; // underflow
    return v;
  }
  const lower = s.toLowerCase();
  const body = c0 === 43 || c0 === 45 ? lower.slice(1) : lower;
  if (body === "inf" || body === "infinity") return c0 === 45 ? -Infinity : Infinity;
  const m = HEX_RE.exec(s);
  if (m === null || (m[2] === "" && (m[3] ?? "") === "")) return null;
  let v = 0;
  for (const ch of m[2]) v = v * 16 + parseInt(ch, 16);
  const frac = m[3] ?? "";
  let scale = 1 / 16;
  for (const ch of frac) {
    v += parseInt(ch, 16) * scale;
    scale /= 16;
  }
  if (m[4] !== undefined) v *= Math.pow(2, parseInt(m[4], 10));
  if (!Number.isFinite(v)) return null;
  if (v === 0 && /[1-9a-fA-F]/.test(m[2] + frac)) return null;
  return m[1] === "-" ? -v : v;
}

/**
 * Formats exactly like C's `%.17g`, as Redis 7.0 does for doubles it replies (ZSCORE, RESP3
 * doubles ...): `1.5`, `1.1000000000000001`, `inf`, `-inf`, `1e+17`.
 */
export function formatDouble(v: number): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Number.isNaN(v)) return "nan";
  if (Object.is(v, -0)) return "-0";
  if (Number.isInteger(v) && Math.abs(v) < 1e17) return String(v);
  const m = /^(-?)(\d)\.(\d+)e([+-]\d+)$/.exec(sig17(v))!;
  const sign = m[1];
  const digits = (m[2] + m[3]).replace(/0+$/, "") || "0";
  const exp = parseInt(m[4], 10);
  if (exp < -4 || exp >= 17) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" + ae : ae}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + "0".repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

// 17 significant digits in toExponential form, rounded half to even on exact ties like glibc
// (toExponential breaks ties upward). A tie needs the exact expansion to stop at digit 18 with
// a 5, so only those candidates take the exact BigInt path.
function sig17(v: number): string {
  const e18 = v.toExponential(17);
  if (e18[e18.indexOf("e") - 1] !== "5") return v.toExponential(16);
  const { digits, k } = exactDecimal(Math.abs(v));
  if (digits.length !== 18 || digits[17] !== "5") return v.toExponential(16);
  let sciExp = k + digits.length - 1;
  let head = BigInt(digits.slice(0, 17));
  if ((head & 1n) === 1n) head += 1n;
  let hs = head.toString();
  if (hs.length > 17) {
    hs = hs.slice(0, 17);
    sciExp += 1;
  }
  return `${v < 0 ? "-" : ""}${hs[0]}.${hs.slice(1)}e${sciExp >= 0 ? "+" : "-"}${Math.abs(sciExp)}`;
}

// The exact decimal value of a positive finite double as digits (no trailing zeros) and k,
// with value = digits * 10^k.
function exactDecimal(v: number): { digits: string; k: number } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bexp === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = bexp - 1075;
  }
  // m * 2^e2 = m * 5^-e2 * 10^e2 for negative e2.
  let digits = e2 >= 0 ? (mant << BigInt(e2)).toString() : (mant * 5n ** BigInt(-e2)).toString();
  let k = e2 >= 0 ? 0 : e2;
  const t = digits.replace(/0+$/, "");
  k += digits.length - t.length;
  digits = t;
  return { digits, k };
}
