/* text.c: the `text` oracle (feature attribution on any text model) and its `sentiment` alias.
 *
 * An explicand is one text of a CSV or JSONL file; its features are its words (Python
 * str.split), sentences or paragraphs (textdata.h). A mask keeps some of them; a removed one
 * is dropped or replaced by mask_token; the kept pieces are joined (words and sentences with
 * one space, paragraphs with a blank line) and put into the optional template's {text} slot.
 * The texts go to an external scorer command over the scorer protocol (docs/oracles.md): a
 * header line "text", then per batch a count line and one JSON string per line; the scorer
 * answers one number per text. This file does no pipe work: it opens the `process` oracle on
 * the scorer command as its inner oracle and replaces the per-mask text (process.h).
 *
 * `sentiment` is this oracle with the VADER scorer (oracles/node/vader_server.js --scorer),
 * the reviews CSV of the sentiment experiments and word features; its keys, labels and
 * explicand descriptions are those of the former sentiment oracle, its values bit-identical. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "oracle.h"
#include "process.h"
#include "textdata.h"

#ifndef SPX_SOURCE_DIR
#define SPX_SOURCE_DIR "."
#endif

#define DEFAULT_CSV "data/reviews.csv"
#define DEFAULT_SCRIPT "oracles/node/vader_server.js"
#define DEFAULT_PACKAGE "oracles/node/node_modules/vader-sentiment"

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* ---- paths and programs ----------------------------------------------------------------- */

/* The node program: a path containing '/' must be executable; a bare name is looked up in
 * PATH (as /bin/sh will). */
static int check_node(spx_options *opts, const char *node, spx_error *err) {
  if (strchr(node, '/')) {
    if (access(node, X_OK) == 0) return SPX_OK;
    return spx_options_fail(opts, "node", SPX_EIO, err,
                            "the Node.js program %s does not exist or is not executable (%s); "
                            "install Node.js (scripts/setup does) or give its path",
                            node, strerror(errno));
  }
  if (spx_process_program_found(node)) return SPX_OK;
  return spx_options_fail(opts, "node", SPX_EIO, err,
                          "the Node.js program '%s' is not on PATH; install Node.js (scripts/setup "
                          "does) or set node to its full path",
                          node);
}

/* ---- the oracle ----------------------------------------------------------------------------- */

enum { UNIT_WORD, UNIT_SENTENCE, UNIT_PARAGRAPH };

typedef struct {
  char **units; /* the n features' texts (also the labels; owned by the oracle's labels) */
  size_t n;
  const char *sep;  /* between kept pieces */
  char *mask_token; /* replacement of a removed unit, or NULL: dropped */
  char *tpl;        /* template with {text}, or NULL */
  char *text;       /* the joined text of the current mask */
  size_t tlen, tcap;
  char *full; /* the text with the template applied */
  size_t flen, fcap;
  char *json; /* the line sent */
  size_t jlen, jcap;
} textor;

static void textor_free(textor *T) {
  if (T == NULL) return;
  free(T->mask_token);
  free(T->tpl);
  free(T->text);
  free(T->full);
  free(T->json);
  free(T);
}

static int grow_to(char **buf, size_t *cap, size_t need) {
  if (need <= *cap) return 0;
  size_t ncap = 2 * need;
  char *nb = realloc(*buf, ncap);
  if (nb == NULL) return -1;
  *buf = nb;
  *cap = ncap;
  return 0;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t l) {
  if (grow_to(buf, cap, *len + l + 1)) return -1;
  memcpy(*buf + *len, s, l);
  *len += l;
  (*buf)[*len] = '\0';
  return 0;
}

/* The scorer line of one mask: the masked text, templated, as a JSON string. */
static int text_row(void *ctx, const uint64_t *mask, size_t n, const char **out, size_t *outlen,
                    spx_error *err) {
  textor *T = ctx;
  size_t seplen = strlen(T->sep), mtlen = T->mask_token ? strlen(T->mask_token) : 0;
  int bad = 0, first = 1;
  T->tlen = 0;
  bad |= grow_to(&T->text, &T->tcap, 1);
  if (!bad) T->text[0] = '\0';
  for (size_t i = 0; i < n && !bad; i++) {
    int kept = (int)((mask[i >> 6] >> (i & 63)) & 1);
    const char *piece = kept ? T->units[i] : T->mask_token;
    if (piece == NULL) continue;
    if (!first) bad |= append(&T->text, &T->tlen, &T->tcap, T->sep, seplen);
    bad |= append(&T->text, &T->tlen, &T->tcap, piece, kept ? strlen(piece) : mtlen);
    first = 0;
  }
  const char *body = T->text;
  size_t blen = T->tlen;
  if (!bad && T->tpl) {
    T->flen = 0;
    const char *p = T->tpl;
    for (;;) {
      const char *q = strstr(p, "{text}");
      if (q == NULL) {
        bad |= append(&T->full, &T->flen, &T->fcap, p, strlen(p));
        break;
      }
      bad |= append(&T->full, &T->flen, &T->fcap, p, (size_t)(q - p));
      bad |= append(&T->full, &T->flen, &T->fcap, T->text, T->tlen);
      p = q + 6;
    }
    body = T->full;
    blen = T->flen;
  }
  T->jlen = 0;
  if (!bad) bad = spx_json_append(&T->json, &T->jlen, &T->jcap, body, blen);
  if (bad) return spx_error_set(err, SPX_ENOMEM, "out of memory building a masked text");
  *out = T->json;
  *outlen = T->jlen;
  return SPX_OK;
}

static void text_close(spx_oracle *o) {
  spx_oracle_destroy(&o->inner); /* stop the scorer first */
  textor_free(o->state);
  o->state = NULL;
}

static int text_eval(spx_oracle *o, const spx_maskset *masks, size_t first, size_t count,
                     double *out, spx_error *err) {
  return spx_oracle_eval(o->inner, masks, first, count, out, err);
}

/* Open the scorer: the process oracle on command (with {e}), n features, our rows. Takes
 * ownership of T (stored in o->state) and of units (the labels). */
static int open_scorer(spx_oracle *o, textor *T, char **units, size_t n, const char *command,
                       double timeout, long long batch, size_t explicand, size_t count,
                       const char *context, spx_error *err) {
  o->state = T;
  T->units = units;
  T->n = n;
  o->n = n;
  int rc = spx_oracle_set_labels(o, units, err); /* takes ownership; T keeps a view */
  if (rc) {
    T->units = NULL;
    return rc;
  }
  return spx_process_open_inner(o, context, command, n, timeout, batch, count, explicand, "text\n",
                                text_row, T, err);
}

/* ---- `text` ------------------------------------------------------------------------------- */

/* The texts of the data option. */
static const char *const text_formats[] = {"auto", "csv", "jsonl", NULL};
static const char *const text_units[] = {"word",  "sentence",  "paragraph",
                                         "words", "sentences", "paragraphs", NULL};
static const spx_option_decl text_rows[] = {
    {"data", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the CSV or JSONL file of texts (one explicand per row)", NULL},
    {"field", SPX_DECL_STRING, "text", 0, 0, NULL,
     "the CSV column or JSON key that holds the text", NULL},
    {"data_format", SPX_DECL_CHOICE, "auto", 0, 0, text_formats,
     "format of data (auto: JSONL for .jsonl/.ndjson/.json, else CSV)", NULL},
    {"unit", SPX_DECL_CHOICE, "word", 0, 0, text_units, "what a feature is", NULL},
    {"scorer", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the shell command of the scorer (the model; see docs/oracles.md, scorer protocol)", NULL},
    {"mask_token", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "text in place of a removed unit (default: removed units are dropped)", NULL},
    {"template", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "text around the masked text, with a {text} slot (default: the masked text alone)", NULL},
    {"strip_quotes", SPX_DECL_BOOL, "false", 0, 0, NULL,
     "drop one pair of double quotes around a text", NULL},
    {"concurrent", SPX_DECL_BOOL, "false", 0, 0, NULL,
     "instances may answer from several ranks at once", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_process_limit_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

/* The texts of the data option. */
static int read_texts(spx_options *opts, char ***texts, size_t **lines, size_t *count,
                      const char **path, spx_error *err) {
  const char *field;
  int format, rc;
  if ((rc = spx_opt_require(opts, "data", err))) return rc;
  if ((rc = spx_opt_string(opts, "data", path, err))) return rc;
  if ((rc = spx_opt_string(opts, "field", &field, err))) return rc;
  if ((rc = spx_opt_choice(opts, "data_format", &format, err))) return rc;
  int jsonl = format == 2 ||
              (format == 0 && (spx_ends_with_ci(*path, ".jsonl") || spx_ends_with_ci(*path, ".ndjson") ||
                               spx_ends_with_ci(*path, ".json")));
  rc = spx_texts_read(*path, jsonl, field, texts, lines, count, err);
  if (rc) {
    char msg[SPX_ERRMSG_LEN];
    snprintf(msg, sizeof msg, "%s", err ? err->msg : "cannot read the texts");
    return spx_options_fail(opts, "data", rc, err, "%s", msg);
  }
  if (*count == 0) {
    spx_words_free(texts, 0);
    free(*lines);
    *lines = NULL;
    return spx_options_fail(opts, "data", SPX_EINVAL, err, "%s holds no texts", *path);
  }
  return SPX_OK;
}

static int text_explicands(spx_options *opts, size_t *count, spx_error *err) {
  char **texts = NULL;
  size_t *lines = NULL;
  const char *path;
  int rc = read_texts(opts, &texts, &lines, count, &path, err);
  if (rc == SPX_OK) spx_words_free(&texts, *count);
  free(lines);
  return rc;
}

static int text_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  char **texts = NULL, **units = NULL;
  size_t *lines = NULL, count = 0, n = 0;
  const char *path, *scorer = NULL, *mask_token = NULL, *tpl = NULL;
  int unit = 0, strip = 0, concurrent = 0;
  double timeout = 600.0;
  long long batch = 4096;
  textor *T = NULL;
  int rc = read_texts(opts, &texts, &lines, &count, &path, err);
  if (rc) return rc;
  if (explicand >= count)
    rc = spx_options_fail(opts, "data", SPX_ERANGE, err,
                          "text %zu is out of range: %s holds %zu texts (0..%zu)", explicand, path,
                          count, count - 1);
  if (rc == SPX_OK) rc = spx_opt_choice(opts, "unit", &unit, err);
  unit %= 3;
  if (rc == SPX_OK) rc = spx_opt_require(opts, "scorer", err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "scorer", &scorer, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "mask_token", &mask_token, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "template", &tpl, err);
  if (rc == SPX_OK && tpl && strstr(tpl, "{text}") == NULL)
    rc = spx_options_fail(opts, "template", SPX_EINVAL, err,
                          "has no {text} slot for the masked text");
  if (rc == SPX_OK) rc = spx_opt_bool(opts, "strip_quotes", &strip, err);
  if (rc == SPX_OK) rc = spx_opt_bool(opts, "concurrent", &concurrent, err);
  if (rc == SPX_OK) rc = spx_opt_double(opts, "timeout", &timeout, err);
  if (rc == SPX_OK) rc = spx_opt_int(opts, "batch", &batch, err);
  char *text = rc == SPX_OK ? texts[explicand] : NULL;
  size_t tl = text ? strlen(text) : 0, bad = 0;
  if (rc == SPX_OK && strip && tl >= 2 && text[0] == '"' && text[tl - 1] == '"') {
    text[tl - 1] = '\0';
    text++;
    tl -= 2;
  }
  if (rc == SPX_OK && !spx_utf8_valid(text, tl, &bad))
    rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: text %zu is not valid UTF-8 (byte %zu)", path,
                       lines[explicand], explicand, bad);
  if (rc == SPX_OK && mask_token && !spx_utf8_valid(mask_token, strlen(mask_token), &bad))
    rc = spx_options_fail(opts, "mask_token", SPX_EINVAL, err, "is not valid UTF-8");
  if (rc == SPX_OK && tpl && !spx_utf8_valid(tpl, strlen(tpl), &bad))
    rc = spx_options_fail(opts, "template", SPX_EINVAL, err, "is not valid UTF-8");
  if (rc == SPX_OK) {
    if (unit == UNIT_WORD) rc = spx_words_split(text, &units, &n, err);
    else if (unit == UNIT_SENTENCE) rc = spx_sentences_split(text, &units, &n, err);
    else rc = spx_paragraphs_split(text, &units, &n, err);
  }
  static const char *const unit_label[] = {"words", "sentences", "paragraphs"};
  if (rc == SPX_OK && n == 0)
    rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: text %zu has no %s", path, lines[explicand],
                       explicand, unit_label[unit]);
  if (rc == SPX_OK) {
    T = calloc(1, sizeof *T);
    if (T) {
      T->sep = unit == UNIT_PARAGRAPH ? "\n\n" : " ";
      T->mask_token = mask_token ? dup_str(mask_token) : NULL;
      T->tpl = tpl ? dup_str(tpl) : NULL;
    }
    if (T == NULL || (mask_token && T->mask_token == NULL) || (tpl && T->tpl == NULL)) {
      textor_free(T);
      T = NULL;
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the text oracle");
    }
  }
  if (rc == SPX_OK) {
    char desc[640];
    size_t used = (size_t)snprintf(desc, sizeof desc, "text %zu of %.300s (%zu %s):", explicand,
                                   path, n, unit_label[unit]);
    for (size_t i = 0; i < n && i < 12 && used < sizeof desc - 48; i++)
      used += (size_t)snprintf(desc + used, sizeof desc - used, " %.40s", units[i]);
    if (n > 12 && used < sizeof desc - 8) snprintf(desc + used, sizeof desc - used, " ...");
    rc = spx_oracle_set_explicand(o, desc, err);
  }
  if (rc == SPX_OK) {
    o->concurrent = concurrent;
    rc = open_scorer(o, T, units, n, scorer, timeout, batch, explicand, count, "oracle text (its scorer)", err);
    units = NULL;
    T = NULL;
  }
  textor_free(T);
  spx_words_free(&units, n);
  spx_words_free(&texts, count);
  free(lines);
  return rc;
}

const spx_oracle_type spx_oracle_text = {
    .name = "text",
    .summary = "any text model: words/sentences/paragraphs of CSV/JSONL texts, an external "
               "scorer (docs/oracles.md)",
    .open = text_open,
    .explicands = text_explicands,
    .eval = text_eval,
    .truth = NULL,
    .close = text_close,
    .options = text_rows,
};

/* ---- `sentiment`: the text oracle with the VADER scorer --------------------------------- */

static const char *const senti_outputs[] = {"compound", "sum", NULL};
static const spx_option_decl senti_rows[] = {
    {"texts_csv", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the reviews CSV (default " DEFAULT_CSV " in the source tree)", NULL},
    {"output", SPX_DECL_CHOICE, "compound", 0, 0, senti_outputs,
     "VADER's compound score or the sum of its positive and negative parts", NULL},
    {"node", SPX_DECL_STRING, "node", 0, 0, NULL, "the Node.js program", NULL},
    {"script", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the VADER server (default " DEFAULT_SCRIPT " in the source tree)", NULL},
    {"package", SPX_DECL_STRING, NULL, 0, 0, NULL,
     "the vader-sentiment npm package (default " DEFAULT_PACKAGE ")", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, spx_process_timeout_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static int read_csv_option(spx_options *opts, char **path, spx_reviews **reviews,
                           spx_error *err) {
  const char *given;
  int rc = spx_opt_string(opts, "texts_csv", &given, err);
  if (rc == SPX_OK)
    rc = spx_process_find_file(opts, "texts_csv", given, DEFAULT_CSV, 1, "the reviews file", "",
                               path, err);
  if (rc) return rc;
  rc = spx_reviews_read(*path, reviews, err);
  if (rc == SPX_OK && (*reviews)->count == 0) {
    spx_reviews_destroy(reviews);
    rc = spx_options_fail(opts, "texts_csv", SPX_EINVAL, err, "%s holds no reviews", *path);
  }
  if (rc) {
    free(*path);
    *path = NULL;
  }
  return rc;
}

static int senti_explicands(spx_options *opts, size_t *count, spx_error *err) {
  char *path = NULL;
  spx_reviews *R = NULL;
  int rc = read_csv_option(opts, &path, &R, err);
  if (rc) return rc;
  *count = R->count;
  spx_reviews_destroy(&R);
  free(path);
  return SPX_OK;
}

static int senti_open(spx_oracle *o, spx_options *opts, size_t explicand, spx_error *err) {
  const char *node, *script_opt, *package_opt;
  int output;
  double timeout;
  char *csv = NULL, *script = NULL, *package = NULL, *pkgjson = NULL, *cmd = NULL;
  char **words = NULL;
  size_t n = 0, len = 0, cap = 0;
  spx_reviews *R = NULL;
  textor *T = NULL;

  int rc = read_csv_option(opts, &csv, &R, err);
  if (rc == SPX_OK && explicand >= R->count)
    rc = spx_options_fail(opts, "texts_csv", SPX_ERANGE, err,
                          "review %zu is out of range: %s holds %zu reviews (0..%zu)", explicand,
                          csv, R->count, R->count - 1);
  if (rc == SPX_OK) rc = spx_opt_choice(opts, "output", &output, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "node", &node, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "script", &script_opt, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "package", &package_opt, err);
  if (rc == SPX_OK) rc = spx_opt_double(opts, "timeout", &timeout, err);
  if (rc == SPX_OK) rc = check_node(opts, node, err);
  if (rc == SPX_OK)
    rc = spx_process_find_file(opts, "script", script_opt, DEFAULT_SCRIPT, 1,
                               "the VADER server script", "", &script, err);
  if (rc == SPX_OK)
    rc = spx_process_find_file(opts, "package", package_opt, DEFAULT_PACKAGE, 1,
                               "the npm package vader-sentiment",
                               "; run scripts/setup to install it", &package, err);
  if (rc == SPX_OK) {
    size_t l = strlen(package) + 16;
    pkgjson = malloc(l);
    if (pkgjson == NULL)
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the sentiment oracle");
    else
      snprintf(pkgjson, l, "%s/package.json", package);
    if (pkgjson && access(pkgjson, R_OK) != 0)
      rc = spx_options_fail(opts, "package", SPX_EIO, err,
                            "the npm package vader-sentiment is not installed: %s is missing; run "
                            "scripts/setup to install it",
                            pkgjson);
  }

  const spx_review *r = rc == SPX_OK ? &R->rows[explicand] : NULL;
  size_t bad = 0;
  if (rc == SPX_OK && !spx_utf8_valid(r->text, strlen(r->text), &bad))
    rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: review %zu is not valid UTF-8 (byte %zu)", csv,
                       r->line, explicand, bad);
  if (rc == SPX_OK) rc = spx_words_split(r->text, &words, &n, err);
  if (rc == SPX_OK && n == 0)
    rc = spx_error_set(err, SPX_EINVAL, "%s:%zu: review %zu has no words", csv, r->line,
                       explicand);
  /* exec node SCRIPT --scorer --output X --package DIR */
  if (rc == SPX_OK) {
    int e = spx_process_sh_append(&cmd, &len, &cap, "exec", 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, node, 1);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, script, 1);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, "--scorer", 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, "--output", 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, senti_outputs[output], 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, "--package", 0);
    if (!e) e = spx_process_sh_append(&cmd, &len, &cap, package, 1);
    if (e) rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the sentiment oracle");
  }
  if (rc == SPX_OK) {
    T = calloc(1, sizeof *T);
    if (T == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory opening the sentiment oracle");
    else T->sep = " ";
  }
  if (rc == SPX_OK) {
    /* review 3 of FILE (spex-bench, positive, 22 words, VADER compound): first words ... */
    char desc[640], tags[192] = "";
    if (r->source[0]) snprintf(tags, sizeof tags, "%.80s, ", r->source);
    if (r->sentiment[0])
      snprintf(tags + strlen(tags), sizeof tags - strlen(tags), "%.80s, ", r->sentiment);
    size_t used = (size_t)snprintf(desc, sizeof desc, "review %zu of %.300s (%s%zu words, VADER %s):",
                                   explicand, csv, tags, n, senti_outputs[output]);
    for (size_t i = 0; i < n && i < 12 && used < sizeof desc - 48; i++)
      used += (size_t)snprintf(desc + used, sizeof desc - used, " %.40s", words[i]);
    if (n > 12 && used < sizeof desc - 8) snprintf(desc + used, sizeof desc - used, " ...");
    rc = spx_oracle_set_explicand(o, desc, err);
  }
  if (rc == SPX_OK) {
    o->concurrent = 1; /* each instance runs its own deterministic node process */
    rc = open_scorer(o, T, words, n, cmd, timeout, 4096, explicand, R->count,
                     "oracle sentiment (its scorer)", err);
    words = NULL;
    T = NULL;
  }
  textor_free(T);
  spx_words_free(&words, n);
  spx_reviews_destroy(&R);
  free(csv);
  free(script);
  free(package);
  free(pkgjson);
  free(cmd);
  return rc;
}

/* The files the sentiment oracle reads (provenance): the reviews CSV, the VADER server script,
 * and the vader-sentiment package's package.json and its "main" file (the bundled analyser with
 * its lexicon, what node loads), each resolved as senti_open resolves it, defaults included. */
static int senti_inputs(spx_options *opts, spx_oracle_input_fn add, void *ctx, spx_error *err) {
  const char *csv, *script, *package_opt;
  int rc = spx_opt_string(opts, "texts_csv", &csv, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "script", &script, err);
  if (rc == SPX_OK) rc = spx_opt_string(opts, "package", &package_opt, err);
  if (rc == SPX_OK) rc = spx_process_list_file(opts, "texts_csv", csv, DEFAULT_CSV, 1, add, ctx, err);
  if (rc == SPX_OK)
    rc = spx_process_list_file(opts, "script", script, DEFAULT_SCRIPT, 1, add, ctx, err);
  char *package = NULL;
  spx_error quiet = {0};
  if (rc != SPX_OK || spx_process_find_file(opts, "package", package_opt, DEFAULT_PACKAGE, 1, "",
                                            "", &package, &quiet) != SPX_OK)
    return rc;
  size_t len = strlen(package) + 4096;
  char *file = malloc(len);
  char *json = NULL;
  if (file == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  if (rc == SPX_OK) {
    snprintf(file, len, "%s/package.json", package);
    if (access(file, R_OK) == 0 && add(ctx, "package", file, package_opt == NULL))
      rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  /* its "main" (node's require of the directory loads that file) */
  FILE *f = rc == SPX_OK ? fopen(file, "rb") : NULL;
  if (f) {
    json = calloc(65537, 1);
    size_t got = json ? fread(json, 1, 65536, f) : 0;
    fclose(f);
    cJSON *j = json && got ? cJSON_Parse(json) : NULL;
    const cJSON *m = j ? cJSON_GetObjectItemCaseSensitive(j, "main") : NULL;
    if (cJSON_IsString(m) && strlen(m->valuestring) < 2048) {
      snprintf(file, len, "%s/%s", package, m->valuestring);
      if (access(file, R_OK) == 0 && add(ctx, "package", file, package_opt == NULL))
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
    }
    cJSON_Delete(j);
  }
  free(json);
  free(file);
  free(package);
  return rc;
}

const spx_oracle_type spx_oracle_sentiment = {
    .name = "sentiment",
    .summary = "VADER sentiment of a movie review; features are its words (the text oracle with "
               "the VADER scorer; docs/sentiment.md)",
    .open = senti_open,
    .explicands = senti_explicands,
    .eval = text_eval,
    .truth = NULL,
    .close = text_close,
    .options = senti_rows,
    .inputs = senti_inputs,
};
