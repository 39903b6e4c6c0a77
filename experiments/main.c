/* main.c: the spex-bench command; a thin dispatcher over the drivers in experiments/. */
#include <stdio.h>
#include <string.h>

#include "experiments/cli.h"

int main(int argc, char **argv) { return spx_cli_main(argc, argv, stdout, stderr); }
