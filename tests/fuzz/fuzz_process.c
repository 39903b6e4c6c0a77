/* fuzz_process.c: libFuzzer harness for the process-oracle protocol reader. The fuzz input is
 * replayed as the child's answers (`cat FILE` as the command), for a batch of masks whose
 * count and n come from the first two bytes. Any outcome is fine except a crash, a hang, or
 * an error without a message; a success must give finite values. Built by scripts/fuzz. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mask.h"
#include "core/options.h"
#include "oracle/oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size > 1 << 14) return 0;
  size_t n = 1 + data[0] % 8, count = 1 + data[1] % 6;
  char path[] = "/tmp/spx_fuzz_proc_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return 0;
  if (write(fd, data + 2, size - 2) != (ssize_t)(size - 2)) {
    close(fd);
    unlink(path);
    return 0;
  }
  close(fd);
  char cmd[64], num[16];
  snprintf(cmd, sizeof cmd, "cat %s", path);
  snprintf(num, sizeof num, "%zu", n);
  spx_error err = {0};
  spx_options *opts = spx_options_create("fuzz");
  spx_oracle *o = NULL;
  if (opts && spx_options_put(opts, "command", SPX_OPT_STRING, cmd, NULL, NULL) == SPX_OK &&
      spx_options_put(opts, "n", SPX_OPT_INT, num, NULL, NULL) == SPX_OK &&
      spx_options_put(opts, "timeout", SPX_OPT_FLOAT, "5", NULL, NULL) == SPX_OK &&
      spx_oracle_open(spx_oracle_lookup("process"), opts, 0, &o, &err) == SPX_OK) {
    spx_maskset *m = spx_maskset_create(n, count);
    double v[8];
    if (m) {
      for (size_t r = 0; r < count; r++)
        for (size_t j = 0; j < n; j++)
          if ((r >> j) & 1) spx_mask_set(spx_maskset_row(m, r), j);
      int rc = spx_oracle_eval(o, m, 0, count, v, &err);
      if (rc == SPX_OK) {
        for (size_t r = 0; r < count; r++)
          if (!isfinite(v[r])) abort();
      } else if (err.msg[0] == '\0') {
        abort();
      }
      spx_maskset_destroy(&m);
    }
  }
  spx_oracle_destroy(&o);
  spx_options_destroy(&opts);
  unlink(path);
  return 0;
}
