/* probe.c: `check --probe` (probe.h). */
#include "probe.h"

#include <stdint.h>

#include "core/mask.h"
#include "core/timer.h"
#include "oracle/oracle.h"

int spx_check_probe(const spx_config *cfg, FILE *out, spx_error *err) {
  spx_options *opts = spx_config_oracle_options(cfg, 0, err);
  if (opts == NULL) return err ? err->code : SPX_ENOMEM;
  spx_oracle *o = NULL;
  double t0 = spx_time_now();
  int rc = spx_oracle_open(cfg->oracle, opts, spx_config_instance_explicand(cfg, 0), &o, err);
  spx_options_destroy(&opts);
  spx_maskset *m = NULL;
  if (rc == SPX_OK) {
    m = spx_maskset_create(o->n, 2);
    if (m == NULL) rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
  }
  double y[2] = {0, 0};
  if (rc == SPX_OK) {
    for (size_t i = 0; i < o->n; i++) spx_mask_set(spx_maskset_row(m, 1), i);
    rc = spx_oracle_eval_all(o, m, y, err);
  }
  spx_maskset_destroy(&m);
  size_t n = o ? o->n : 0;
  spx_oracle_destroy(&o); /* shuts a process model down */
  if (rc) {
    spx_error_prefix(err, "check --probe: ");
    return rc;
  }
  if (out)
    fprintf(out, "\nprobe        f(no feature) = %.17g, f(all %zu features) = %.17g (%.2f s, model "
                 "started and stopped)\n",
            y[0], n, y[1], spx_time_now() - t0);
  return SPX_OK;
}
