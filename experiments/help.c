/* help.c: `spex-bench --help TOPIC` from the declared option tables (see help.h). */
#include "help.h"

#include <string.h>

#include "config/config.h"
#include "methods/method.h"
#include "oracle/oracle.h"

static void list_types(FILE *out) {
  fprintf(out, "oracles (spex-bench --help KIND or --help oracle.KIND):\n");
  for (const spx_oracle_type *const *t = spx_oracle_types(); *t; t++)
    fprintf(out, "  %-18s %s\n", (*t)->name, (*t)->summary ? (*t)->summary : "");
  fprintf(out, "methods (spex-bench --help NAME or --help method.NAME):\n");
  for (const spx_method_type *const *t = spx_method_types(); *t; t++)
    fprintf(out, "  %-18s %s\n", (*t)->name, (*t)->summary ? (*t)->summary : "");
  fprintf(out, "driver sections (spex-bench --help SECTION):\n ");
  for (size_t i = 0; spx_config_section_name(i); i++)
    fprintf(out, " %s", spx_config_section_name(i));
  fprintf(out, "\n");
}

static void rows(FILE *out, const char *what, const char *name, const char *summary,
                 const spx_option_decl *decls) {
  fprintf(out, "%s %s%s%s\n", what, name, summary ? ": " : "", summary ? summary : "");
  if (decls == NULL) {
    fprintf(out, "  (its keys are not declared in a table yet: see docs/configuration.md)\n");
    return;
  }
  fprintf(out, "  %-16s %-28s %-18s %s\n", "key", "type", "default", "meaning");
  spx_option_decls_print(out, decls, "  ");
}

int spx_help_topic(const char *topic, FILE *out, FILE *errout) {
  if (strcmp(topic, "oracles") == 0 || strcmp(topic, "methods") == 0) {
    list_types(out);
    return 0;
  }
  const spx_option_decl *section = spx_config_section_options(topic);
  if (section == NULL && strcmp(topic, "explicands") == 0)
    section = spx_config_section_options(topic = "oracle.explicands");
  if (section) {
    char head[96];
    snprintf(head, sizeof head, "[%s]", topic);
    rows(out, "section", head, NULL, section);
    return 0;
  }
  /* oracle.NAME / method.NAME name one of the two where a name is both */
  int only_oracle = strncmp(topic, "oracle.", 7) == 0, only_method = strncmp(topic, "method.", 7) == 0;
  const char *name = only_oracle || only_method ? topic + 7 : topic;
  const spx_oracle_type *o = only_method ? NULL : spx_oracle_lookup(name);
  const spx_method_type *m = only_oracle ? NULL : spx_method_lookup(name);
  if (o) {
    rows(out, "oracle", o->name, o->summary, o->options);
    fprintf(out, "  and the keys of every oracle:\n");
    spx_option_decls_print(out, spx_oracle_common_options, "  ");
  }
  if (o && m) fprintf(out, "\n");
  if (m) rows(out, "method", m->name, m->summary, m->options);
  if (o || m) return 0;
  fprintf(errout, "spex-bench --help: unknown topic '%s'\n", topic);
  list_types(errout);
  return 2;
}
