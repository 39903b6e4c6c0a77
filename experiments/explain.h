/* explain.h: `spex-bench explain`: explain one explicand of one oracle with one method. */
#ifndef SPX_EXPLAIN_H
#define SPX_EXPLAIN_H

#include <stdio.h>

/* argv[0] is "explain". Returns the process exit status (0, 1 run-time failure, 2 usage). */
int spx_explain_main(int argc, char **argv, FILE *out, FILE *errout);
void spx_explain_usage(FILE *out);

#endif
