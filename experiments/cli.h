/* cli.h: command-line entry point of spex-bench, callable in-process by tests. */
#ifndef SPX_CLI_H
#define SPX_CLI_H

#include <stdio.h>

/* Exit status: 0 success, 1 run-time failure, 2 usage or configuration error. */
int spx_cli_main(int argc, char **argv, FILE *out, FILE *errout);

#endif
