/* registry.c: every method, by name. Add one line per method. */
#include <string.h>

#include "method.h"
#include "proxyspex.h"



static const spx_method_type *const methods[] = {
    &spx_method_proxyspex,

    NULL};

const spx_method_type *const *spx_method_types(void) { return methods; }

const spx_method_type *spx_method_lookup(const char *name) {
  for (size_t i = 0; methods[i]; i++)
    if (strcmp(methods[i]->name, name) == 0) return methods[i];
  return NULL;
}
