/* convert.h: `spex-bench convert`: a stored sparse transform (JSON on standard input) to an
 * interaction index (JSON on standard output), with the library's own conversions
 * (src/core/convert.h), so analysis scripts never re-implement them. */
#ifndef SPX_CONVERT_CLI_H
#define SPX_CONVERT_CLI_H

#include <stdio.h>

/* argv[0] is "convert"; the transform is read from in. Returns the process exit status
 * (0, 1 run-time failure, 2 usage or input error). */
int spx_convert_main(int argc, char **argv, FILE *in, FILE *out, FILE *errout);

#endif
