/* test_components.c: the components oracle (MLP on digits): model quality, ablation values
 * against an independent ablation (zeroed output weights) on an independently rebuilt test
 * split, heads, caching, and error messages. */
#include <dirent.h>
#include <unistd.h>

#include "core/rng.h"
#include "oracle/mlp.h"
#include "oracle/oracle.h"
#include "oracle/sklearn_data.h"
#include "testing.h"

static spx_options *opts(const char *cache_dir, const char *task, const char *heads) {
  spx_options *o = spx_options_create("oracle components");
  spx_options_put(o, "cache_dir", SPX_OPT_STRING, cache_dir, "t:1:1", NULL);
  spx_options_put(o, "hidden", SPX_OPT_INT, "16", "t:2:1", NULL);
  spx_options_put(o, "epochs", SPX_OPT_INT, "30", "t:3:1", NULL);
  if (task) spx_options_put(o, "task", SPX_OPT_STRING, task, "t:4:1", NULL);
  if (heads) spx_options_put(o, "heads", SPX_OPT_INT, heads, "t:5:1", NULL);
  return o;
}

/* Path of the single cache file in dir. */
static int find_cache(const char *dir, char *out, size_t len) {
  DIR *d = opendir(dir);
  if (d == NULL) return 0;
  int found = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strncmp(e->d_name, "components_mlp_", 15) == 0) {
      snprintf(out, len, "%s/%s", dir, e->d_name);
      found++;
    }
  closedir(d);
  return found;
}

int main(void) {
  char dir[] = "/tmp/spx_components_XXXXXX";
  if (mkdtemp(dir) == NULL) return 1;
  spx_error err;
  spx_options *o = opts(dir, "all", NULL);
  spx_oracle *all = NULL;
  int rc = spx_oracle_open(spx_oracle_lookup("components"), o, 0, &all, &err);
  if (rc && strstr(err.msg, "cannot open")) {
    printf("SKIP: %s\n", err.msg);
    return spx_test_summary();
  }
  spx_test(rc == SPX_OK, "open task=all (%s)", rc ? err.msg : "");
  spx_test_int((long long)all->n, 16, "one feature per hidden unit");
  char path[4400];
  spx_test(find_cache(dir, path, sizeof path) == 1, "trained weights cached in cache_dir");
  spx_mlp *mlp = NULL;
  uint64_t key;
  {
    FILE *f = fopen(path, "rb");
    uint64_t head[2] = {0, 0};
    spx_test(f && fread(head, sizeof head, 1, f) == 1, "cache readable");
    if (f) fclose(f);
    key = head[1];
  }
  spx_test(spx_mlp_load(&mlp, path, key, &err) == SPX_OK, "cache loads (%s)", err.msg);
  spx_mlp *other = NULL;
  spx_test(spx_mlp_load(&other, path, key + 1, &err) == SPX_EIO && other == NULL &&
               strstr(err.msg, "other settings"),
           "cache with another key is refused");

  /* Rebuild the test split exactly as documented: pixels / 16, shuffle, last 497 rows. */
  spx_dataset ds;
  spx_test(spx_dataset_read_csv(SPX_SKLEARN_DATA_DIR "/digits.csv.gz", 0, &ds, &err) == SPX_OK,
           "digits readable");
  for (size_t k = 0; k < ds.rows * ds.d; k++) ds.x[k] /= 16.0;
  gsl_rng *r = spx_rng_stream(0, spx_hash_string("components split"), 0, 0, 0);
  for (size_t i = ds.rows - 1; i > 0; i--) {
    size_t j = (size_t)gsl_rng_uniform_int(r, i + 1);
    double tmp[64];
    memcpy(tmp, ds.x + i * 64, sizeof tmp);
    memcpy(ds.x + i * 64, ds.x + j * 64, sizeof tmp);
    memcpy(ds.x + j * 64, tmp, sizeof tmp);
    int t = ds.y[i];
    ds.y[i] = ds.y[j];
    ds.y[j] = t;
  }
  size_t first = ds.rows - 497;

  /* Masks: full, empty, random. */
  spx_maskset *m = spx_maskset_create(16, 5);
  spx_mask_fill(spx_maskset_row(m, 0), 16, 1);
  for (size_t i = 2; i < 5; i++)
    for (size_t j = 0; j < 16; j++)
      if (gsl_rng_uniform(r) < 0.5) spx_mask_set(spx_maskset_row(m, i), j);
  double v[5];
  spx_test(spx_oracle_eval_all(all, m, v, &err) == SPX_OK, "eval");
  double acc = spx_oracle_task_accuracy(all, spx_maskset_row(m, 0));
  spx_test(acc > 0.9, "the trained MLP classifies > 90%% of held-out digits (%.3f)", acc);

  /* Independent ablation: zero the output weights of removed units, full forward pass. */
  spx_mlp *abl = spx_mlp_create(64, 16, 10);
  for (size_t row = 0; row < 5; row++) {
    memcpy(abl->w1, mlp->w1, 16 * 64 * sizeof *abl->w1);
    memcpy(abl->b1, mlp->b1, 16 * sizeof *abl->b1);
    memcpy(abl->w2, mlp->w2, 10 * 16 * sizeof *abl->w2);
    memcpy(abl->b2, mlp->b2, 10 * sizeof *abl->b2);
    for (size_t j = 0; j < 16; j++)
      if (!spx_mask_test(spx_maskset_row(m, row), j))
        for (size_t c = 0; c < 10; c++) abl->w2[c * 16 + j] = 0.0;
    double total = 0, h[16], z[10];
    for (size_t i = first; i < ds.rows; i++) {
      spx_mlp_hidden(abl, ds.x + i * 64, h);
      spx_mlp_logits(abl, h, NULL, z);
      double lse = 0;
      for (int c = 0; c < 10; c++) lse += exp(z[c]);
      total += z[ds.y[i]] - log(lse);
    }
    spx_test_rel(v[row], total / 497.0, 1e-12, "mask %zu: mean log-prob equals independent ablation",
                 row);
  }
  spx_mlp_destroy(&abl);
  spx_test(v[0] > v[1] && v[0] > -0.5, "all units beat no units (%g vs %g)", v[0], v[1]);

  /* A second open reuses the cache; cache = false retrains to the same weights. */
  spx_options *o2 = opts(dir, "all", NULL);
  spx_options_put(o2, "cache", SPX_OPT_BOOL, "false", "t:6:1", NULL);
  spx_oracle *again = NULL;
  double v2[5];
  spx_test(spx_oracle_open(spx_oracle_lookup("components"), o2, 0, &again, &err) == SPX_OK &&
               spx_oracle_eval_all(again, m, v2, NULL) == SPX_OK && memcmp(v, v2, sizeof v) == 0,
           "retraining is deterministic and matches the cache");
  spx_oracle_destroy(&again);
  spx_options_destroy(&o2);

  /* Heads of 4 units: head h kept = units 4h..4h+3 kept. */
  spx_options *o3 = opts(dir, NULL, "4");
  spx_oracle *heads = NULL;
  spx_test(spx_oracle_open(spx_oracle_lookup("components"), o3, 7, &heads, &err) == SPX_OK && heads->n == 4,
           "4 heads");
  size_t count;
  spx_test(spx_oracle_explicands(spx_oracle_lookup("components"), o3, &count, NULL) == SPX_OK && count == 10,
           "task=class has 10 explicands");
  if (heads) {
    spx_test(strcmp(heads->labels[1], "head1[4-7]") == 0, "head labels");
    spx_test(heads->explicand && strstr(heads->explicand, "digit 7"), "explicand names the task");
  }
  spx_oracle_destroy(&heads);
  spx_options_destroy(&o3);

  spx_options *bad = opts(dir, NULL, "5");
  spx_test(spx_oracle_open(spx_oracle_lookup("components"), bad, 0, &heads, &err) == SPX_EINVAL &&
               strstr(err.msg, "t:5:1: heads: 5 heads do not divide 16"),
           "heads must divide hidden (%s)", err.msg);
  spx_options_destroy(&bad);
  /* missing directories of cache_dir are created (every level); a regular file in the way
   * cannot be one, even for root */
  char nested[128], blocker[128], blocked[160];
  snprintf(nested, sizeof nested, "%s/a/b", dir);
  bad = opts(nested, "all", NULL);
  char nested_file[600] = "";
  int nested_ok = spx_oracle_open(spx_oracle_lookup("components"), bad, 0, &heads, &err) == SPX_OK &&
                  find_cache(nested, nested_file, sizeof nested_file) == 1;
  spx_test(nested_ok, "cache_dir in two missing directories: created, the model cached there");
  spx_oracle_destroy(&heads);
  spx_options_destroy(&bad);
  if (nested_file[0]) remove(nested_file);
  rmdir(nested);
  snprintf(blocker, sizeof blocker, "%s/a", dir);
  rmdir(blocker);
  FILE *fb = fopen(blocker, "w");
  if (fb) fclose(fb);
  snprintf(blocked, sizeof blocked, "%s/cache", blocker);
  bad = opts(blocked, "all", NULL);
  spx_test(spx_oracle_open(spx_oracle_lookup("components"), bad, 0, &heads, &err) == SPX_EIO &&
               strstr(err.msg, blocked) && strstr(err.msg, "cache = false"),
           "unwritable cache names the path and the way out (%s)", err.msg);
  spx_options_destroy(&bad);
  remove(blocker);
  bad = opts(dir, "all", NULL);
  spx_test(spx_oracle_open(spx_oracle_lookup("components"), bad, 1, &heads, &err) == SPX_ERANGE,
           "task=all has one explicand");
  spx_options_destroy(&bad);

  remove(path);
  rmdir(dir);
  gsl_rng_free(r);
  spx_dataset_free(&ds);
  spx_maskset_destroy(&m);
  spx_mlp_destroy(&mlp);
  spx_oracle_destroy(&all);
  spx_options_destroy(&o);
  return spx_test_summary();
}
