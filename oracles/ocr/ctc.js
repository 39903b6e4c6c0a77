// ctc.js: CTC log-probability of a label sequence under per-step class probabilities, by the
// forward algorithm (Graves et al. 2006) in log space, summed over every alignment.
//
// probs: Float32Array/Float64Array of T x C probabilities (row t = softmax output at step t),
// starting at offset; labels: array of class indices (none equal to blank). Probabilities are
// floored at FLOOR before the log so a value is always finite (a float32 softmax can
// underflow to 0); with the floor a path through an impossible step costs log(FLOOR) = -69.1.
'use strict';

const FLOOR = 1e-30;
const LOG_FLOOR = Math.log(FLOOR);

function logAdd(a, b) {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

function lp(p) {
  return p > FLOOR ? Math.log(p) : LOG_FLOOR;
}

// log P(labels | probs); -Infinity when the labels cannot fit in T steps.
function ctcLogProb(probs, offset, T, C, labels, blank) {
  const L = labels.length;
  const S = 2 * L + 1; // extended sequence: blank, l1, blank, l2, ..., lL, blank
  const ext = new Int32Array(S);
  for (let s = 0; s < S; s++) ext[s] = s % 2 === 0 ? blank : labels[(s - 1) >> 1];
  let alpha = new Float64Array(S).fill(-Infinity);
  let next = new Float64Array(S);
  alpha[0] = lp(probs[offset + ext[0]]);
  if (S > 1) alpha[1] = lp(probs[offset + ext[1]]);
  for (let t = 1; t < T; t++) {
    const row = offset + t * C;
    for (let s = 0; s < S; s++) {
      let a = alpha[s];
      if (s >= 1) a = logAdd(a, alpha[s - 1]);
      if (s >= 2 && ext[s] !== blank && ext[s] !== ext[s - 2]) a = logAdd(a, alpha[s - 2]);
      next[s] = a === -Infinity ? -Infinity : a + lp(probs[row + ext[s]]);
    }
    const tmp = alpha;
    alpha = next;
    next = tmp;
  }
  return S > 1 ? logAdd(alpha[S - 1], alpha[S - 2]) : alpha[0];
}

// Reference: the log of the sum over every path of T classes that collapses to labels
// (repeats merged, then blanks removed). C^T paths: for tiny tests only.
function ctcLogProbBrute(probs, offset, T, C, labels, blank) {
  let total = -Infinity;
  const path = new Int32Array(T);
  const count = Math.pow(C, T);
  for (let k = 0; k < count; k++) {
    let r = k;
    for (let t = 0; t < T; t++) {
      path[t] = r % C;
      r = Math.floor(r / C);
    }
    const out = [];
    for (let t = 0; t < T; t++)
      if (path[t] !== blank && (t === 0 || path[t] !== path[t - 1])) out.push(path[t]);
    if (out.length !== labels.length || out.some((c, i) => c !== labels[i])) continue;
    let s = 0;
    for (let t = 0; t < T; t++) s += lp(probs[offset + t * C + path[t]]);
    total = logAdd(total, s);
  }
  return total;
}

// Greedy (best path) decoding: argmax per step, repeats merged, blanks removed.
function greedy(probs, offset, T, C, blank) {
  const out = [];
  let prev = -1;
  for (let t = 0; t < T; t++) {
    let best = 0;
    let bp = -1;
    const row = offset + t * C;
    for (let c = 0; c < C; c++)
      if (probs[row + c] > bp) {
        bp = probs[row + c];
        best = c;
      }
    if (best !== blank && best !== prev) out.push(best);
    prev = best;
  }
  return out;
}

module.exports = { ctcLogProb, ctcLogProbBrute, greedy, FLOOR };
