// Exact emulation of the x86-64 `long double` (x87 80-bit extended: 64-bit significand) that
// INCRBYFLOAT and HINCRBYFLOAT compute in: string2ld (strtold, correctly rounded), one addition,
// and ld2string's human mode (`%.17Lf`, trailing zeros trimmed). Values are exact binary
// fractions held in bigints, so results match real Redis byte for byte (0.1 + 0.2 is "0.3").

/** Significand bits of the x87 extended format. */
const PRECISION = 64;
/** Exponent of the least significant bit of the smallest subnormal (2^-16382 * 2^-63). */
const MIN_LSB = -16445;
/** Magnitudes of 2^MAX_EXP and beyond overflow to infinity. */
const MAX_EXP = 16384;
/** string2ld refuses inputs this long or longer (MAX_LONG_DOUBLE_CHARS). */
const MAX_CHARS = 5 * 1024;

/** A long double: `(neg ? -1 : 1) * mant * 2^exp`, or an infinity when `inf` is set. */
export interface LongDouble {
  readonly neg: boolean;
  readonly mant: bigint;
  readonly exp: number;
  readonly inf: boolean;
}

const DEC_RE = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX_RE =
  /^([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

// Clamped exponent text: beyond 9 digits the value over- or underflows anyway.
function expValue(s: string | undefined): number {
  if (s === undefined) return 0;
  const v = parseInt(s, 10);
  return v > 1e9 ? 1e9 : v < -1e9 ? -1e9 : v;
}

function zero(neg: boolean): LongDouble {
  return { neg, mant: 0n, exp: 0, inf: false };
}

function infinity(neg: boolean): LongDouble {
  return { neg, mant: 0n, exp: 0, inf: true };
}

/**
 * Rounds the exact value `n / d * 2^e2` (n, d > 0) to a long double, to nearest with ties to
 * even, with gradual underflow. Overflow gives an infinity and total underflow a zero.
 */
function round(neg: boolean, n: bigint, d: bigint, e2: number): LongDouble {
  let top = bitLength(n) - bitLength(d);
  if (top >= 0 ? n < d << BigInt(top) : n << BigInt(-top) < d) top--;
  top += e2; // exponent of the leading bit
  if (top >= MAX_EXP) return infinity(neg);
  const lsb = Math.max(top - PRECISION + 1, MIN_LSB);
  if (top < lsb - 1) return zero(neg); // below half the smallest subnormal
  let num = n;
  let den = d;
  const shift = e2 - lsb;
  if (shift >= 0) num <<= BigInt(shift);
  else den <<= BigInt(-shift);
  let q = num / den;
  const twice = (num - q * den) * 2n;
  if (twice > den || (twice === den && (q & 1n) === 1n)) q++;
  if (q === 0n) return zero(neg);
  if (bitLength(q) - 1 + lsb >= MAX_EXP) return infinity(neg);
  return { neg, mant: q, exp: lsb, inf: false };
}

/**
 * Parses like Redis string2ld: what glibc strtold accepts (decimal, hex, inf/infinity), with no
 * leading space, nothing trailing, no NaN, and no result that over- or underflowed to zero.
 * @returns the value, or null when Redis would reply "value is not a valid float"
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_CHARS) return null;
  let m = DEC_RE.exec(s);
  if (m !== null) {
    const neg = m[1] === "-";
    const intPart = m[2] ?? "";
    const frac = m[3] ?? m[4] ?? "";
    const digits = (intPart + frac).replace(/^0+/, "");
    if (digits === "") return zero(neg);
    const e10 = expValue(m[5]) - frac.length;
    // Decide hopeless magnitudes before building powers of ten (1e-4952 < half the smallest
    // subnormal; 1e4933 > the largest finite value).
    if (digits.length + e10 < -4952) return null;
    if (digits.length + e10 - 1 > 4933) return null;
    const n = BigInt(digits);
    const v = e10 >= 0
      ? round(neg, n * 10n ** BigInt(e10), 1n, 0)
      : round(neg, n, 10n ** BigInt(-e10), 0);
    return v.inf || v.mant === 0n ? null : v;
  }
  m = HEX_RE.exec(s);
  if (m !== null) {
    const neg = m[1] === "-";
    const intPart = m[2] ?? "";
    const frac = m[3] ?? m[4] ?? "";
    const digits = (intPart + frac).replace(/^0+/, "");
    if (digits === "") return zero(neg);
    const e2 = expValue(m[5]) - 4 * frac.length;
    const bits = digits.length * 4;
    if (e2 + bits < MIN_LSB - 2) return null;
    if (e2 + bits - 4 > MAX_EXP) return null;
    const v = round(neg, BigInt("0x" + digits), 1n, e2);
    return v.inf || v.mant === 0n ? null : v;
  }
  m = INF_RE.exec(s);
  if (m !== null) return infinity(m[1] === "-");
  return null;
}

/**
 * `a + b` rounded to a long double.
 * @returns the sum, or null when it is NaN or infinite (Redis refuses such increments)
 */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) return null;
  if (a.mant === 0n && b.mant === 0n) return zero(a.neg && b.neg);
  if (a.mant === 0n) return b;
  if (b.mant === 0n) return a;
  const e = Math.min(a.exp, b.exp);
  const x = (a.neg ? -a.mant : a.mant) << BigInt(a.exp - e);
  const y = (b.neg ? -b.mant : b.mant) << BigInt(b.exp - e);
  const sum = x + y;
  if (sum === 0n) return zero(false);
  const r = sum < 0n ? round(true, -sum, 1n, e) : round(false, sum, 1n, e);
  return r.inf ? null : r;
}

const TEN_17 = 10n ** 17n;

/**
 * Formats as Redis ld2string in human mode: `%.17Lf` (ties to even), trailing zeros and a
 * trailing point removed, "-0" printed as "0". Never uses an exponent.
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.inf) return v.neg ? "-inf" : "inf";
  let digits: string;
  if (v.exp >= 0) {
    digits = (v.mant << BigInt(v.exp)).toString() + "0".repeat(17);
  } else {
    const scaled = v.mant * TEN_17;
    const sh = BigInt(-v.exp);
    let q = scaled >> sh;
    const twice = (scaled - (q << sh)) * 2n;
    const unit = 1n << sh;
    if (twice > unit || (twice === unit && (q & 1n) === 1n)) q++;
    digits = q.toString().padStart(18, "0");
  }
  const intPart = digits.slice(0, digits.length - 17);
  const frac = digits.slice(digits.length - 17).replace(/0+$/, "");
  const body = frac === "" ? intPart : `${intPart}.${frac}`;
  return v.neg && body !== "0" ? "-" + body : body;
}
