/* convert.c: `spex-bench convert --index NAME [--order K] [--top K]`.
 *
 * Reads one transform, or a JSON array of them, from standard input:
 *   {"n": 12, "basis": "fourier" | "moebius",
 *    "interactions": [{"features": [0, 3], "value": 0.25}, ...]}
 * (a result file's /results/<label>/transform/<i>/<b>/<r> group, docs/results-format.md) and
 * writes the requested index in explain --json's shape: {"n", "basis", "index", "order",
 * "interactions"} sorted by |value| descending, the empty set (the index's baseline) always
 * listed. An array in gives an array out, in the same order. */
#include "convert.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/convert.h"
#include "core/error.h"
#include "core/transform.h"

typedef struct {
  spx_index index;
  const char *index_name;
  long long order, top;
  int have_top;
} convert_args;

static void usage(FILE *out) {
  fprintf(out,
          "usage: spex-bench convert --index NAME [--order K] [--top K] < TRANSFORM.json\n"
          "\n"
          "Convert a sparse Fourier or Moebius transform (JSON on standard input: {\"n\": N,\n"
          "\"basis\": \"fourier\"|\"moebius\", \"interactions\": [{\"features\": [...], \"value\": v},\n"
          "...]}, or an array of such objects) to an interaction index, written to standard\n"
          "output as JSON in the shape of `explain --json` (an array for an array).\n"
          "\n"
          "  --index NAME  fourier, moebius, sii, bii, sv, bv, fsii, fbii, stii, ksii\n"
          "  --order K     order of the index (default 2; sv and bv use 1)\n"
          "  --top K       keep the K largest |value| interactions (the empty set always kept)\n"
          "\n"
          "Exit status: 0 success, 1 run-time failure, 2 usage or input error.\n");
}

static int parse_ll(const char *flag, const char *s, long long lo, long long *v, FILE *errout) {
  char *end;
  long long x = strtoll(s, &end, 10);
  if (*s == '\0' || *end != '\0' || x < lo) {
    fprintf(errout, "spex-bench convert: %s: expected an integer >= %lld, got '%s'\n", flag, lo,
            s);
    return 2;
  }
  *v = x;
  return 0;
}

/* 0, -1 (help printed), or an exit status. */
static int parse_args(int argc, char **argv, convert_args *a, FILE *out, FILE *errout) {
  memset(a, 0, sizeof *a);
  a->order = 2;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage(out);
      return -1;
    }
    if (i + 1 >= argc) {
      fprintf(errout, "spex-bench convert: %s needs a value (see --help)\n", arg);
      return 2;
    }
    const char *val = argv[++i];
    int bad = 0;
    if (strcmp(arg, "--index") == 0)
      a->index_name = val;
    else if (strcmp(arg, "--order") == 0)
      bad = parse_ll(arg, val, 1, &a->order, errout);
    else if (strcmp(arg, "--top") == 0)
      bad = parse_ll(arg, val, 0, &a->top, errout), a->have_top = 1;
    else {
      fprintf(errout, "spex-bench convert: unknown option '%s' (see --help)\n", arg);
      return 2;
    }
    if (bad) return bad;
  }
  if (a->index_name == NULL) {
    fprintf(errout, "spex-bench convert: --index is required (see --help)\n");
    return 2;
  }
  if (spx_index_from_name(a->index_name, &a->index) != SPX_OK) {
    fprintf(errout,
            "spex-bench convert: --index: unknown index '%s' (fourier, moebius, sii, bii, sv, "
            "bv, fsii, fbii, stii, ksii)\n",
            a->index_name);
    return 2;
  }
  if (a->index == SPX_INDEX_SV || a->index == SPX_INDEX_BV) a->order = 1;
  return 0;
}

/* The whole stream as a NUL-terminated string, or NULL. */
static char *read_all(FILE *in) {
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  if (buf == NULL) return NULL;
  for (;;) {
    if (len + 1 >= cap) {
      char *b = realloc(buf, cap * 2);
      if (b == NULL) {
        free(buf);
        return NULL;
      }
      buf = b;
      cap *= 2;
    }
    size_t got = fread(buf + len, 1, cap - 1 - len, in);
    len += got;
    if (got == 0) break;
  }
  if (ferror(in)) {
    free(buf);
    return NULL;
  }
  buf[len] = '\0';
  return buf;
}

/* The transform described by one JSON object (item k of the input, for messages). */
static int parse_transform(const cJSON *obj, size_t k, spx_transform **out, spx_error *err) {
  *out = NULL;
  const cJSON *jn = cJSON_GetObjectItemCaseSensitive(obj, "n");
  const cJSON *jb = cJSON_GetObjectItemCaseSensitive(obj, "basis");
  const cJSON *jl = cJSON_GetObjectItemCaseSensitive(obj, "interactions");
  if (!cJSON_IsObject(obj) || !cJSON_IsNumber(jn) || !cJSON_IsString(jb) || !cJSON_IsArray(jl))
    return spx_error_set(err, SPX_EINVAL,
                         "input %zu: expected an object with \"n\" (number), \"basis\" "
                         "(string) and \"interactions\" (array)",
                         k);
  double nd = jn->valuedouble;
  if (!(nd >= 1 && nd <= 4294967295.0) || nd != floor(nd))
    return spx_error_set(err, SPX_EINVAL, "input %zu: n = %g is not an integer in 1..2^32-1", k,
                         nd);
  spx_basis basis;
  if (strcmp(jb->valuestring, "fourier") == 0)
    basis = SPX_BASIS_FOURIER;
  else if (strcmp(jb->valuestring, "moebius") == 0)
    basis = SPX_BASIS_MOEBIUS;
  else
    return spx_error_set(err, SPX_EINVAL,
                         "input %zu: basis \"%s\" (expected \"fourier\" or \"moebius\")", k,
                         jb->valuestring);
  uint32_t n = (uint32_t)nd;
  spx_transform *t = spx_transform_create(n, basis);
  SPX_CHECK_ALLOC(t, err);
  uint32_t *idx = NULL;
  size_t cap = 0;
  int rc = SPX_OK;
  size_t e = 0;
  const cJSON *item;
  cJSON_ArrayForEach(item, jl) {
    const cJSON *jf = cJSON_GetObjectItemCaseSensitive(item, "features");
    const cJSON *jv = cJSON_GetObjectItemCaseSensitive(item, "value");
    if (!cJSON_IsArray(jf) || !cJSON_IsNumber(jv)) {
      rc = spx_error_set(err, SPX_EINVAL,
                         "input %zu, interaction %zu: expected {\"features\": [...], \"value\": v}",
                         k, e);
      break;
    }
    size_t deg = (size_t)cJSON_GetArraySize(jf);
    if (deg > cap) {
      uint32_t *b = realloc(idx, deg * sizeof *idx);
      if (b == NULL) {
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
        break;
      }
      idx = b;
      cap = deg;
    }
    size_t j = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, jf) {
      double fd = cJSON_IsNumber(f) ? f->valuedouble : -1.0;
      if (!(fd >= 0 && fd < (double)n) || fd != floor(fd)) {
        rc = spx_error_set(err, SPX_EINVAL,
                           "input %zu, interaction %zu: feature %g is not an integer in 0..%u",
                           k, e, fd, n - 1);
        break;
      }
      for (size_t q = 0; q < j && rc == SPX_OK; q++)
        if (idx[q] == (uint32_t)fd)
          rc = spx_error_set(err, SPX_EINVAL, "input %zu, interaction %zu: feature %g twice", k,
                             e, fd);
      if (rc) break;
      idx[j++] = (uint32_t)fd;
    }
    if (rc) break;
    if (!isfinite(jv->valuedouble)) {
      rc = spx_error_set(err, SPX_EINVAL, "input %zu, interaction %zu: value is not finite", k,
                         e);
      break;
    }
    rc = spx_transform_add(t, idx, (uint32_t)deg, jv->valuedouble, err);
    if (rc) break;
    e++;
  }
  free(idx);
  if (rc) {
    spx_transform_destroy(&t);
    return rc;
  }
  *out = t;
  return SPX_OK;
}

static int add_interaction(cJSON *list, const uint32_t *idx, uint32_t deg, double value) {
  cJSON *o = cJSON_CreateObject();
  if (o == NULL || !cJSON_AddItemToArray(list, o)) {
    cJSON_Delete(o);
    return SPX_ENOMEM;
  }
  cJSON *f = cJSON_AddArrayToObject(o, "features");
  if (f == NULL) return SPX_ENOMEM;
  for (uint32_t j = 0; j < deg; j++) {
    cJSON *x = cJSON_CreateNumber(idx[j]);
    if (x == NULL || !cJSON_AddItemToArray(f, x)) {
      cJSON_Delete(x);
      return SPX_ENOMEM;
    }
  }
  return cJSON_AddNumberToObject(o, "value", value) ? SPX_OK : SPX_ENOMEM;
}

/* One converted transform as a JSON object (NULL and err set on failure). */
static cJSON *convert_one(const cJSON *obj, size_t k, const convert_args *a, spx_error *err) {
  spx_transform *t = NULL, *res = NULL;
  size_t *sorted = NULL;
  cJSON *root = NULL;
  int rc = parse_transform(obj, k, &t, err);
  if (rc == SPX_OK) rc = spx_transform_to_index(t, a->index, (unsigned)a->order, &res, err);
  size_t size = res ? spx_transform_size(res) : 0;
  if (rc == SPX_OK) {
    sorted = malloc((size ? size : 1) * sizeof *sorted);
    if (sorted == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  if (rc == SPX_OK) rc = spx_transform_sorted(res, sorted, err);
  if (rc == SPX_OK) {
    root = cJSON_CreateObject();
    cJSON *list = NULL;
    int ok = root && cJSON_AddNumberToObject(root, "n", spx_transform_n(t)) &&
             cJSON_AddStringToObject(root, "basis", spx_transform_basis(t) == SPX_BASIS_MOEBIUS
                                                        ? "moebius"
                                                        : "fourier") &&
             cJSON_AddStringToObject(root, "index", spx_index_name(a->index)) &&
             cJSON_AddNumberToObject(root, "order", (double)a->order) &&
             (list = cJSON_AddArrayToObject(root, "interactions")) != NULL;
    int have_empty = 0;
    size_t shown = 0;
    for (size_t q = 0; ok && q < size; q++) {
      const uint32_t *idx;
      uint32_t deg;
      double v;
      spx_transform_entry(res, sorted[q], &idx, &deg, &v);
      if (deg != 0 && a->have_top && shown >= (size_t)a->top) continue;
      if (deg == 0)
        have_empty = 1;
      else
        shown++;
      ok = add_interaction(list, idx, deg, v) == SPX_OK;
    }
    if (ok && !have_empty) ok = add_interaction(list, NULL, 0, 0.0) == SPX_OK;
    if (!ok) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  free(sorted);
  spx_transform_destroy(&res);
  spx_transform_destroy(&t);
  if (rc) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

int spx_convert_main(int argc, char **argv, FILE *in, FILE *out, FILE *errout) {
  convert_args a;
  int status = parse_args(argc, argv, &a, out, errout);
  if (status) return status < 0 ? 0 : status;
  spx_error err;
  spx_error_clear(&err);
  char *text = read_all(in);
  if (text == NULL) {
    fprintf(errout, "spex-bench convert: cannot read standard input\n");
    return 1;
  }
  cJSON *input = cJSON_Parse(text);
  free(text);
  if (input == NULL) {
    fprintf(errout, "spex-bench convert: standard input is not valid JSON\n");
    return 2;
  }
  cJSON *result = NULL;
  int rc = SPX_OK;
  if (cJSON_IsArray(input)) {
    result = cJSON_CreateArray();
    if (result == NULL) rc = spx_error_set(&err, SPX_ENOMEM, "out of memory");
    size_t k = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, input) {
      if (rc) break;
      cJSON *one = convert_one(item, k++, &a, &err);
      if (one == NULL)
        rc = err.code ? err.code : SPX_ENOMEM;
      else if (!cJSON_AddItemToArray(result, one)) {
        cJSON_Delete(one);
        rc = spx_error_set(&err, SPX_ENOMEM, "out of memory");
      }
    }
  } else {
    result = convert_one(input, 0, &a, &err);
    if (result == NULL) rc = err.code ? err.code : SPX_ENOMEM;
  }
  cJSON_Delete(input);
  char *printed = NULL;
  if (rc == SPX_OK) {
    printed = cJSON_PrintUnformatted(result);
    if (printed == NULL) rc = spx_error_set(&err, SPX_ENOMEM, "out of memory");
  }
  cJSON_Delete(result);
  if (rc == SPX_OK && (fprintf(out, "%s\n", printed) < 0 || fflush(out) != 0))
    rc = spx_error_set(&err, SPX_EIO, "writing standard output failed");
  free(printed);
  if (rc) {
    fprintf(errout, "spex-bench convert: %s\n", err.msg[0] ? err.msg : "out of memory");
    return rc == SPX_EINVAL || rc == SPX_ERANGE ? 2 : 1;
  }
  return 0;
}
