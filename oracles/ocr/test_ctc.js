#!/usr/bin/env node
// test_ctc.js: checks of ctc.js (run by tests/unit/test_ocr.c; needs node only).
// 1. A 2-step, 2-class output worked by hand: P("a") = p0(a) p1(a) + p0(a) p1(-) + p0(-) p1(a).
// 2. The forward algorithm against the brute-force sum over every alignment (C^T paths) on
//    random tiny outputs (T <= 6, C <= 4), labels with and without repeated classes,
//    including labels too long to fit (-Infinity both ways, up to the floor).
// 3. Greedy decoding merges repeats before removing blanks.
// Prints "ok N" and exits 0, or prints the failures and exits 1.
'use strict';
const { ctcLogProb, ctcLogProbBrute, greedy } = require('./ctc.js');

let failures = 0;
let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) {
    failures++;
    console.log(`FAIL: ${what}`);
  }
}
function close(a, b, tol) {
  if (a === b) return true;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

// 1. by hand: classes 0 = blank, 1 = a
{
  const p = Float64Array.from([0.3, 0.7, 0.6, 0.4]); // t0: -:0.3 a:0.7; t1: -:0.6 a:0.4
  const want = Math.log(0.7 * 0.4 + 0.7 * 0.6 + 0.3 * 0.4);
  check(close(ctcLogProb(p, 0, 2, 2, [1], 0), want, 1e-15), `hand example: ${ctcLogProb(p, 0, 2, 2, [1], 0)} vs ${want}`);
  // "aa" needs a blank between: only path a - a does not fit in 2 steps -> floor value
  check(ctcLogProb(p, 0, 2, 2, [1, 1], 0) < -60, 'aa does not fit in 2 steps');
  // empty label: all blanks
  check(close(ctcLogProb(p, 0, 2, 2, [], 0), Math.log(0.3 * 0.6), 1e-15), 'empty label');
}

// 2. random tiny outputs against brute force (deterministic LCG)
let seed = 12345;
function rnd() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
for (let trial = 0; trial < 300; trial++) {
  const T = 1 + Math.floor(rnd() * 6);
  const C = 2 + Math.floor(rnd() * 3);
  const probs = new Float32Array(T * C + 3);
  const off = 3; // a nonzero offset, as for masks after the first of a batch
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += (probs[off + t * C + c] = rnd() + 0.01);
    for (let c = 0; c < C; c++) probs[off + t * C + c] /= s;
  }
  const L = Math.floor(rnd() * (T + 1));
  const labels = [];
  for (let i = 0; i < L; i++) labels.push(1 + Math.floor(rnd() * (C - 1)));
  const blank = 0;
  const f = ctcLogProb(probs, off, T, C, labels, blank);
  const b = ctcLogProbBrute(probs, off, T, C, labels, blank);
  if (b === -Infinity) check(f < -60, `T=${T} C=${C} labels=${labels}: impossible, got ${f}`);
  else check(close(f, b, 1e-12), `T=${T} C=${C} labels=${labels}: forward ${f} brute ${b}`);
}

// 3. greedy: argmax path a a - a b b - -> "aab"
{
  const path = [1, 1, 0, 1, 2, 2, 0];
  const C = 3;
  const p = new Float32Array(path.length * C).fill(0.1);
  path.forEach((c, t) => (p[t * C + c] = 0.8));
  const g = greedy(p, 0, path.length, C, 0);
  check(g.join(',') === '1,1,2', `greedy gave ${g}`);
}

if (failures) {
  console.log(`${failures} of ${checks} checks failed`);
  process.exit(1);
}
console.log(`ok ${checks}`);
