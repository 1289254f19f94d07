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

const FLOAT_RE =
  /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?(?:[pP][+-]?\d+)?)$/;

/**
 * Redis string2ld / strtold: accepts what strtold accepts with no leading or trailing space,
 * including "inf", "-inf", "+inf", "infinity" (any case); rejects "nan".
 * @returns the value, or null when invalid
 */
export function parseFloatStrict(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || c0 === 9 || c0 === 10 || c0 === 13 || c0 === 11 || c0 === 12) return null;
  const lower = s.toLowerCase();
  const body = lower[0] === "+" || lower[0] === "-" ? lower.slice(1) : lower;
  if (body === "inf" || body === "infinity") return lower[0] === "-" ? -Infinity : Infinity;
  if (!FLOAT_RE.test(s)) return null;
  let v: number;
  if (/0x/i.test(s)) v = parseHexFloat(s);
  else v = Number(s);
  if (Number.isNaN(v)) return null;
  return v;
}

function parseHexFloat(s: string): number {
  const m = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i.exec(s);
  if (!m) return NaN;
  let v = parseInt(m[2] || "0", 16);
  const frac = m[3] ?? "";
  for (let i = 0; i < frac.length; i++) v += parseInt(frac[i], 16) / Math.pow(16, i + 1);
  if (m[4]) v *= Math.pow(2, parseInt(m[4], 10));
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
  const m = /^(-?)(\d)\.(\d+)e([+-]\d+)$/.exec(v.toExponential(16))!;
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

/**
 * INCRBYFLOAT / HINCRBYFLOAT output: Redis formats long doubles with `%.17Lf` and trims
 * trailing zeros (ld2string humanfriendly mode), never exponent form.
 */
export function formatLongDouble(v: number): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return Object.is(v, -0) ? "0" : v.toFixed(0);
  // Use the shortest round-trip decimal, expanded without exponent.
  const s = expandExponent(String(v));
  if (s.includes(".")) {
    const t = s.replace(/0+$/, "").replace(/\.$/, "");
    return t === "-0" ? "0" : t;
  }
  return s;
}

function expandExponent(s: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[2] + (m[3] ?? "");
  const exp = parseInt(m[4], 10);
  if (exp < 0) return `${m[1]}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return m[1] + digits + "0".repeat(exp + 1 - digits.length);
  return `${m[1]}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}
