/* test_options.c: declared option tables (core/options.h): defaults, ranges, choices, lists,
 * includes, undeclared reads, help rows and the resolved TOML text. */
#include <string.h>

#include "core/options.h"
#include "testing.h"

static const char *const colours[] = {"red", "green", "blue", NULL};

static const spx_option_decl common_rows[] = {
    {"memory_gib", SPX_DECL_FLOAT, "2", 1e-6, 1e6, NULL, "memory limit in GiB", NULL},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static const spx_option_decl rows[] = {
    {"t", SPX_DECL_INT, "5", 1, 30, NULL, "errors corrected", NULL},
    {"energy", SPX_DECL_FLOAT, "0.95", 0, 1, NULL, "energy kept", NULL},
    {"refine", SPX_DECL_BOOL, "true", 0, 0, NULL, "refine by regression", NULL},
    {"colour", SPX_DECL_CHOICE, "green", 0, 0, colours, "a colour", NULL},
    {"name", SPX_DECL_STRING, NULL, 0, 0, NULL, "optional name", NULL},
    {"grid", SPX_DECL_FLOAT_LIST, "[0.5, 1, 2]", 0, 10, NULL, "penalties", NULL},
    {"sizes", SPX_DECL_INT_LIST, NULL, 1, SPX_NOMAX, NULL, "sizes", NULL},
    {"", SPX_DECL_INCLUDE, NULL, 0, 0, NULL, NULL, common_rows},
    {NULL, SPX_DECL_END, NULL, 0, 0, NULL, NULL, NULL}};

static spx_options *make(void) {
  spx_options *o = spx_options_create("method test");
  spx_error err = {0};
  spx_test(spx_options_declare(o, rows, &err) == SPX_OK, "declare");
  return o;
}

int main(void) {
  spx_error err = {0};
  /* Defaults come from the rows. */
  spx_options *o = make();
  long long t = 0;
  double e = 0, mem = 0;
  int b = 0, c = -1;
  const char *name = "x";
  spx_test(spx_opt_int(o, "t", &t, &err) == SPX_OK && t == 5, "int default 5 (got %lld)", t);
  spx_test(spx_opt_double(o, "energy", &e, &err) == SPX_OK && e == 0.95, "float default");
  spx_test(spx_opt_bool(o, "refine", &b, &err) == SPX_OK && b == 1, "bool default");
  spx_test(spx_opt_choice(o, "colour", &c, &err) == SPX_OK && c == 1, "choice default");
  spx_test(spx_opt_string(o, "name", &name, &err) == SPX_OK && name == NULL,
           "absent string without default is NULL");
  spx_test(spx_opt_double(o, "memory_gib", &mem, &err) == SPX_OK && mem == 2.0,
           "included row default");
  double grid[8];
  size_t count = 0;
  spx_test(spx_opt_double_list(o, "grid", grid, 8, &count, &err) == SPX_OK && count == 3 &&
               grid[0] == 0.5 && grid[2] == 2.0,
           "list default");
  long long sizes[4];
  spx_test(spx_opt_int_list(o, "sizes", sizes, 4, &count, &err) == SPX_OK && count == 0,
           "absent list without default is empty");
  /* A required key: absent is an error whose message is the row's help; present is fine. */
  spx_test(spx_opt_require(o, "name", &err) == SPX_EINVAL &&
               strcmp(err.msg, "method test: name: required: optional name") == 0,
           "required key message from the row: %s", err.msg);
  spx_options_put(o, "name", SPX_OPT_STRING, "x", "t:1:1", NULL);
  spx_test(spx_opt_require(o, "name", &err) == SPX_OK, "required key given");
  spx_options_remove(o, "name");
  /* Reading an undeclared key is a bug, reported as such. */
  spx_test(spx_opt_int(o, "nope", &t, &err) == SPX_EINTERNAL && strstr(err.msg, "not declared"),
           "undeclared read is internal: %s", err.msg);
  spx_options_destroy(&o);

  /* Given values: typed (TOML) and text (command line), range and type errors. */
  o = make();
  spx_options_put(o, "t", SPX_OPT_INT, "31", "f.toml:3:5", NULL);
  spx_test(spx_opt_int(o, "t", &t, &err) == SPX_ERANGE && strstr(err.msg, "f.toml:3:5: t:") &&
               strstr(err.msg, "[1, 30]"),
           "range error names where and key: %s", err.msg);
  spx_options_put(o, "t", SPX_OPT_TEXT, "7", "--t", NULL);
  spx_test(spx_opt_int(o, "t", &t, &err) == SPX_OK && t == 7, "text int");
  spx_options_put(o, "energy", SPX_OPT_STRING, "high", "f.toml:4:1", NULL);
  spx_test(spx_opt_double(o, "energy", &e, &err) == SPX_EINVAL && strstr(err.msg, "number"),
           "type error: %s", err.msg);
  spx_options_put(o, "colour", SPX_OPT_STRING, "pink", "f.toml:5:1", NULL);
  spx_test(spx_opt_choice(o, "colour", &c, &err) == SPX_EINVAL && strstr(err.msg, "\"blue\""),
           "choice error lists the choices: %s", err.msg);
  spx_options_put(o, "grid", SPX_OPT_TEXT, "1,20", "--grid", NULL);
  spx_test(spx_opt_double_list(o, "grid", grid, 8, &count, &err) == SPX_ERANGE &&
               strstr(err.msg, "element 2"),
           "list item range: %s", err.msg);
  spx_options_put(o, "sizes", SPX_OPT_TEXT, "[3, 4]", "--sizes", NULL);
  spx_test(spx_opt_int_list(o, "sizes", sizes, 4, &count, &err) == SPX_OK && count == 2 &&
               sizes[1] == 4,
           "text list");
  spx_options_put(o, "memory_gib", SPX_OPT_FLOAT, "0", "f.toml:9:1", NULL);
  spx_test(spx_opt_double(o, "memory_gib", &mem, &err) == SPX_ERANGE, "included row range");
  spx_options_destroy(&o);

  /* Unknown keys are named with the declared ones listed, without any read. */
  o = make();
  spx_options_put(o, "colur", SPX_OPT_STRING, "red", "f.toml:2:1", NULL);
  spx_test(spx_options_check_unused(o, &err) == SPX_EINVAL && strstr(err.msg, "colur") &&
               strstr(err.msg, "colour") && strstr(err.msg, "memory_gib"),
           "unknown key lists declared keys: %s", err.msg);
  spx_options_destroy(&o);

  /* Resolved text: every declared key with value or default, strings quoted, extras last. */
  o = make();
  spx_options_put(o, "t", SPX_OPT_TEXT, "8", "--t", NULL);
  spx_options_put(o, "name", SPX_OPT_TEXT, "say \"hi\"", "--name", NULL);
  spx_options_put(o, "a.b", SPX_OPT_TEXT, "x", "--a.b", NULL);
  char *text = NULL;
  spx_test(spx_options_resolved(o, &text, &err) == SPX_OK, "resolved");
  const char *want = "t = 8\nenergy = 0.95\nrefine = true\ncolour = \"green\"\n"
                     "name = \"say \\\"hi\\\"\"\ngrid = [0.5, 1, 2]\nmemory_gib = 2\n"
                     "\"a.b\" = \"x\"\n";
  spx_test(text && strcmp(text, want) == 0, "resolved text:\n%s", text ? text : "(null)");
  free(text);
  /* A clone keeps the declarations. */
  spx_options *cl = spx_options_clone(o);
  spx_test(cl && spx_opt_int(cl, "t", &t, &err) == SPX_OK && t == 8 &&
               spx_opt_double(cl, "memory_gib", &mem, &err) == SPX_OK,
           "clone keeps declarations");
  spx_options_destroy(&cl);
  spx_options_destroy(&o);

  /* Help rows and names. */
  char names[256] = "";
  spx_option_decls_names(rows, names, sizeof names);
  spx_test(strcmp(names, "t, energy, refine, colour, name, grid, sizes, memory_gib") == 0,
           "names: %s", names);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  spx_option_decls_print(f, rows, "  ");
  fclose(f);
  spx_test(buf && strstr(buf, "red|green|blue") && strstr(buf, "integer in [1, 30]") &&
               strstr(buf, "memory limit in GiB"),
           "help rows:\n%s", buf ? buf : "");
  free(buf);
  spx_test(spx_option_decl_find(rows, "memory_gib") == &common_rows[0], "find through include");
  return spx_test_summary();
}
