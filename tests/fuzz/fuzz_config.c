/* fuzz_config.c: libFuzzer harness for the configuration reader (TOML shim + validation).
 * The input is TOML text; after a NUL byte, each further NUL-separated part is a --set
 * override. A configuration that loads is dumped and loaded again (the resolved text must
 * load too). The dry run is not called: it would start fuzzed shell commands (process oracle)
 * and allocate what fuzzed options ask for. Built and run by scripts/fuzz. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 16) return 0;
  char *text = malloc(size + 1);
  if (text == NULL) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  const char *sets[8];
  size_t nsets = 0;
  size_t len = strlen(text);
  for (size_t p = len + 1; p < size && nsets < 8; p += strlen(text + p) + 1) sets[nsets++] = text + p;
  spx_config *cfg = NULL;
  spx_error err = {0};
  if (spx_config_load_string(text, "fuzz.toml", sets, nsets, NULL, &cfg, &err) == SPX_OK) {
    spx_config *again = NULL;
    spx_error err2 = {0};
    if (spx_config_load_string(cfg->resolved, "resolved.toml", NULL, 0, NULL, &again, &err2) !=
        SPX_OK) {
      fprintf(stderr, "resolved configuration does not load: %s\n%s\n", err2.msg, cfg->resolved);
      abort();
    }
    if (strcmp(again->resolved, cfg->resolved) != 0) {
      fprintf(stderr, "resolved text is not a fixed point:\n%s\n---\n%s\n", cfg->resolved,
              again->resolved);
      abort();
    }
    spx_config_destroy(&again);
    spx_config_destroy(&cfg);
  } else if (err.msg[0] == '\0') {
    fprintf(stderr, "failure without a message\n");
    abort();
  }
  free(text);
  return 0;
}
