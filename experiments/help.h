/* help.h: `spex-bench --help TOPIC`: the declared option rows of a driver section, an oracle
 * or a method (core/options.h), printed from the same tables that parse them. */
#ifndef SPX_HELP_H
#define SPX_HELP_H

#include <stdio.h>

/* Print the keys of topic ("experiment", "budget", "oracle.explicands", "scaling", "pruning",
 * "oracles", "methods", or an oracle kind or method name). Returns 0, or 2 (with a message on
 * errout listing the topics) for an unknown topic. */
int spx_help_topic(const char *topic, FILE *out, FILE *errout);

#endif
