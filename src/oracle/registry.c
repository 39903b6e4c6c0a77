/* registry.c: every oracle kind, by name. Add one line per oracle. */
#include <string.h>

#include "oracle.h"

extern const spx_oracle_type spx_oracle_synthetic;
extern const spx_oracle_type spx_oracle_process;
extern const spx_oracle_type spx_oracle_data_attribution;
extern const spx_oracle_type spx_oracle_components;
extern const spx_oracle_type spx_oracle_recorded;
extern const spx_oracle_type spx_oracle_sentiment;
extern const spx_oracle_type spx_oracle_text;
extern const spx_oracle_type spx_oracle_tabular;
extern const spx_oracle_type spx_oracle_soum;
extern const spx_oracle_type spx_oracle_genomics;
extern const spx_oracle_type spx_oracle_ocr;

static const spx_oracle_type *const oracles[] = {
    &spx_oracle_synthetic,
    &spx_oracle_process,
    &spx_oracle_data_attribution,
    &spx_oracle_components,
    &spx_oracle_recorded,
    &spx_oracle_sentiment,
    &spx_oracle_text,
    &spx_oracle_tabular,
    &spx_oracle_soum,
    &spx_oracle_genomics,
    &spx_oracle_ocr,
    NULL};

const spx_oracle_type *const *spx_oracle_types(void) { return oracles; }

const spx_oracle_type *spx_oracle_lookup(const char *name) {
  for (size_t i = 0; oracles[i]; i++)
    if (strcmp(oracles[i]->name, name) == 0) return oracles[i];
  return NULL;
}
