#!/usr/bin/env node
// vader_server.js: the VADER sentiment model (npm vader-sentiment 1.1.3) as a spex-bench
// value function, speaking the process-oracle protocol of DESIGN.md §5 on stdin/stdout.
//
// Usage: node vader_server.js [--output compound|sum] [--package DIR] [--slow] --scorer
//        node vader_server.js [--output compound|sum] [--package DIR] [--verify K] [--slow]
//                            TEXTFILE
//
// --scorer: the scorer of spex-bench's `text` oracle (the `sentiment` oracle is that oracle
// with this scorer). Protocol (docs/oracles.md): a header line "text", then batches of a line
// "<count>" followed by count lines, each one JSON string (the masked text: the kept words
// joined with single spaces); each batch is answered with count lines, one number each.
//
// TEXTFILE holds one review. Its features are the words it splits into at ASCII whitespace.
// For a mask, the kept words are re-joined with single spaces and scored by the package.
// The answer is the package's compound score before its rounding to 4 decimals
// (--output compound, the default) or the valence sum it normalises (--output sum).
//
// Protocol: the first line is n (must equal the number of words); then batches of
// "<count>\n" followed by count lines of n characters '0'/'1'; each batch is answered with
// count lines, one number each (shortest text that reads back to the same double).
//
// --verify K: instead of serving, score the full text and K pseudo-random masks both through
// the fast path used here and through the untouched package, print a report, and exit with
// status 1 if any value differs in the last bit or does not round to the package's own
// compound.
//
// --slow: serve through the package's own (uncached) code paths; the answers are the same
// bytes, only slower. For measuring the speed-up and for cross-checks.
'use strict';

const fs = require('fs');
const path = require('path');

function die(msg) {
  process.stderr.write(`vader_server: ${msg}\n`);
  process.exit(2);
}

// ---- command line ---------------------------------------------------------------------------
const args = process.argv.slice(2);
let output = 'compound';
let pkgDir = path.join(__dirname, 'node_modules', 'vader-sentiment');
let verify = -1;
let slow = false;
let textFile = null;
let scorer = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => {
    if (i + 1 >= args.length) die(`option ${a} needs a value`);
    return args[++i];
  };
  if (a === '--output') {
    output = value();
    if (output !== 'compound' && output !== 'sum')
      die(`--output must be "compound" or "sum", got "${output}"`);
  } else if (a === '--package') {
    pkgDir = value();
  } else if (a === '--verify') {
    verify = Number(value());
    if (!Number.isInteger(verify) || verify < 0) die(`--verify needs a count >= 0`);
  } else if (a === '--slow') {
    slow = true;
  } else if (a === '--scorer') {
    scorer = true;
  } else if (a.startsWith('--')) {
    die(`unknown option ${a}`);
  } else if (textFile === null) {
    textFile = a;
  } else {
    die(`more than one text file given (${textFile}, ${a})`);
  }
}
if (scorer && (textFile !== null || verify >= 0))
  die('--scorer reads its texts from stdin: give no TEXTFILE and no --verify');
if (textFile === null && !scorer)
  die('usage: node vader_server.js [--output compound|sum] [--package DIR] [--verify K] [--slow] ' +
      'TEXTFILE');

// ---- the package ----------------------------------------------------------------------------
const PINNED = '1.1.3';
let pkgJson;
try {
  pkgJson = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
} catch (e) {
  die(`the npm package vader-sentiment is not installed at ${pkgDir} ` +
      `(run scripts/setup, which installs it into oracles/node/)`);
}
if (pkgJson.name !== 'vader-sentiment' || pkgJson.version !== PINNED)
  die(`${pkgDir} holds ${pkgJson.name} ${pkgJson.version}, but spex-bench is pinned to ` +
      `vader-sentiment ${PINNED} (run scripts/setup)`);
const SIA = require(path.resolve(pkgDir)).SentimentIntensityAnalyzer;
if (typeof SIA !== 'function' || typeof SIA.polarity_scores !== 'function')
  die(`${pkgDir} does not export SentimentIntensityAnalyzer.polarity_scores`);

// The package rounds compound to 4 decimals inside the static score_valence(sentiments, text).
// Replacing that static (the class calls it through the class object) gives the exact value.
// The lines below follow the package's own order of operations, so the exact compound is the
// very double the package rounds (--verify checks this against the untouched package).
const originalScoreValence = SIA.score_valence;
let exact = true;
function exactScoreValence(sentiments, text) {
  if (!exact) return originalScoreValence.call(SIA, sentiments, text);
  if (!sentiments || sentiments.length === 0) return {sum: 0, compound: 0};
  let sum = 0;
  for (let i = 0; i < sentiments.length; i++) sum += sentiments[i];
  const amplifier = SIA.punctuation_emphasis(sum, text);
  if (sum > 0) sum += amplifier;
  else if (sum < 0) sum -= amplifier;
  // the package's normalize(score, alpha = 15), clamped to [-1, 1]
  let compound = sum / Math.sqrt(sum * sum + 15);
  if (compound < -1) compound = -1;
  else if (compound > 1) compound = 1;
  return {sum, compound};
}
SIA.score_valence = exactScoreValence;

// Speed: the package's SentiText rebuilds a dictionary of every word with every punctuation
// mark glued on, for each call (17 entries per word). A token is replaced by the dictionary's
// word only when it is that word with one punctuation entry glued on, so the replacement
// depends on the token alone: we compute it once per distinct token (with the package's own
// method, on the token by itself) and cache it. SentiText is not exported; we reach its
// prototype through the instance the analyzer hands to its static sentiment_valence.
let sentiTextProto = null;
{
  const original = SIA.sentiment_valence;
  SIA.sentiment_valence = function (valence, sentiText, ...rest) {
    if (sentiTextProto === null) sentiTextProto = Object.getPrototypeOf(sentiText);
    return original.call(this, valence, sentiText, ...rest);
  };
  SIA.polarity_scores('good');
  SIA.sentiment_valence = original;
}
if (sentiTextProto === null || typeof sentiTextProto.get_words_and_emoticons !== 'function')
  die('could not find SentiText.get_words_and_emoticons in the package (unexpected version)');
const originalWords = sentiTextProto.get_words_and_emoticons;
let fast = true;
const tokenCache = new Map();
function tokenWords(token) {
  let hit = tokenCache.get(token);
  if (hit === undefined) {
    hit = originalWords.call({text: token, get_words_plus_punc: sentiTextProto.get_words_plus_punc});
    tokenCache.set(token, hit);
  }
  return hit;
}
sentiTextProto.get_words_and_emoticons = function () {
  if (!fast) return originalWords.call(this);
  const tokens = this.text.split(/\s/);
  const out = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.length <= 1) continue;
    const w = tokenWords(t);
    for (let j = 0; j < w.length; j++) out.push(w[j]);
  }
  return out;
};

// The package's 'but' rule replaces each score through two splices, O(length) each; the same
// products computed in place give identical numbers in linear time.
const originalButCheck = SIA.but_check;
SIA.but_check = function (words, sentiments) {
  if (!fast) return originalButCheck.call(this, words, sentiments);
  let b = words.indexOf('but');
  if (b === -1) b = words.indexOf('BUT');
  if (b !== -1)
    for (let i = 0; i < sentiments.length; i++) {
      if (i < b) sentiments[i] = sentiments[i] * 0.5;
      else if (i > b) sentiments[i] = sentiments[i] * 1.5;
    }
  return sentiments;
};

// The punctuation emphasis counts '!' and '?' with a regular-expression replace that copies the
// whole text; counting characters gives the same counts, and the same products follow.
const originalAmplifyEp = SIA.amplify_ep;
const originalAmplifyQm = SIA.amplify_qm;
function countChar(text, code) {
  let c = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === code) c++;
  return c;
}
SIA.amplify_ep = function (text) {
  if (!fast) return originalAmplifyEp.call(this, text);
  let count = countChar(text, 33); // '!'
  if (count > 4) count = 4;
  return count * 0.292;
};
SIA.amplify_qm = function (text) {
  if (!fast) return originalAmplifyQm.call(this, text);
  const count = countChar(text, 63); // '?'
  if (count <= 1) return 0;
  return count <= 3 ? count * 0.18 : 0.96;
};

// ---- the scorer protocol (--scorer) ---------------------------------------------------------
function scoreText(t) {
  const r = SIA.polarity_scores(t);
  return output === 'sum' ? r.sum : r.compound;
}
if (scorer) {
  fast = !slow;
  let sbuf = '';
  let sheader = true;
  let sexpect = 0;
  let sanswers = [];
  let sbatch = 0;
  const handle = (line) => {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (sheader) {
      if (line.trim() !== 'text')
        die(`--scorer expects the header line "text" (the text oracle's scorer protocol), got "${line.slice(0, 60)}"`);
      sheader = false;
      return;
    }
    if (sexpect === 0) {
      const c = Number(line.trim());
      if (!Number.isInteger(c) || c < 0) die(`batch ${sbatch}: expected a text count, got "${line.slice(0, 60)}"`);
      sbatch++;
      sexpect = c;
      sanswers = [];
      return;
    }
    let t;
    try {
      t = JSON.parse(line);
    } catch (e) {
      die(`batch ${sbatch}: a text line must be one JSON string (${e.message})`);
    }
    if (typeof t !== 'string') die(`batch ${sbatch}: a text line must be one JSON string`);
    sanswers.push(String(scoreText(t)));
    sexpect--;
    if (sexpect === 0) process.stdout.write(sanswers.join('\n') + '\n');
  };
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    sbuf += chunk;
    let start = 0;
    let nl;
    while ((nl = sbuf.indexOf('\n', start)) !== -1) {
      handle(sbuf.slice(start, nl));
      start = nl + 1;
    }
    sbuf = sbuf.slice(start);
  });
  process.stdin.on('end', () => {
    if (sbuf.length > 0) handle(sbuf);
    if (sexpect > 0) die(`input ended inside batch ${sbatch} (${sexpect} texts missing)`);
  });
}

// ---- the explicand (TEXTFILE mode) ------------------------------------------------------------
let text = '';
if (!scorer) {

try {
  text = fs.readFileSync(textFile, 'utf8');
} catch (e) {
  die(`cannot read the text file ${textFile}: ${e.message}`);
}
// Python's str.split() whitespace (the upstream loader splits that way), which JS's \s is not.
const SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
const words = text.split(SPACE).filter((w) => w.length > 0);
const n = words.length;
if (n === 0) die(`the text file ${textFile} holds no words`);

function textOf(mask) {
  const kept = [];
  for (let i = 0; i < n; i++) if (mask.charCodeAt(i) === 49) kept.push(words[i]);
  return kept.join(' ');
}

function score(mask) {
  const r = SIA.polarity_scores(textOf(mask));
  return output === 'sum' ? r.sum : r.compound;
}

// ---- verification mode ----------------------------------------------------------------------
if (verify >= 0) {
  let state = 0x2545f491 >>> 0; // xorshift32, fixed seed: the same masks every run
  const rand = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 4294967296;
  };
  const masks = ['1'.repeat(n), '0'.repeat(n)];
  for (let k = 0; k < verify; k++) {
    const p = rand();
    let m = '';
    for (let i = 0; i < n; i++) m += rand() < p ? '1' : '0';
    masks.push(m);
  }
  let bad = 0;
  for (const m of masks) {
    const t = textOf(m);
    fast = true;
    const a = SIA.polarity_scores(t);
    fast = false;
    const b = SIA.polarity_scores(t);
    exact = false;
    const pkg = SIA.polarity_scores(t);
    exact = true;
    fast = true;
    const same = Object.is(a.compound, b.compound) && Object.is(a.sum, b.sum);
    const rounds = parseFloat(a.compound.toFixed(4)) === pkg.compound;
    if (!same || !rounds) {
      bad++;
      process.stdout.write(`MISMATCH kept=${m.split('1').length - 1}: fast ${a.compound} ${a.sum}, ` +
                           `package path ${b.compound} ${b.sum}, package rounded ${pkg.compound}\n`);
    }
  }
  process.stdout.write(`${masks.length} masks, n = ${n}, ${bad} mismatches; ` +
                       `full text: ${output} ${score(masks[0])}\n`);
  process.exit(bad ? 1 : 0);
}

// ---- serving --------------------------------------------------------------------------------
fast = !slow;
let buffer = '';
let header = true;
let expect = 0; // lines still to read in the current batch
let answers = [];
let batch = 0;

function handleLine(line) {
  if (line.endsWith('\r')) line = line.slice(0, -1);
  if (header) {
    const h = Number(line.trim());
    if (!Number.isInteger(h) || h !== n)
      die(`header says n = ${line.trim()}, but ${textFile} has ${n} words`);
    header = false;
    return;
  }
  if (expect === 0) {
    const c = Number(line.trim());
    if (!Number.isInteger(c) || c < 0) die(`batch ${batch}: expected a mask count, got "${line}"`);
    batch++;
    expect = c;
    answers = [];
    if (c === 0) process.stdout.write('');
    return;
  }
  if (line.length !== n || !/^[01]*$/.test(line))
    die(`batch ${batch}: a mask must be ${n} characters '0'/'1', got ${line.length} characters`);
  answers.push(String(score(line)));
  expect--;
  if (expect === 0) process.stdout.write(answers.join('\n') + '\n');
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let start = 0;
  let nl;
  while ((nl = buffer.indexOf('\n', start)) !== -1) {
    handleLine(buffer.slice(start, nl));
    start = nl + 1;
  }
  buffer = buffer.slice(start);
});
process.stdin.on('end', () => {
  if (buffer.length > 0) handleLine(buffer);
  if (expect > 0) die(`input ended inside batch ${batch} (${expect} masks missing)`);
});
}
