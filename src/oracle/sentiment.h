/* sentiment.h: kept for older includes; the reviews CSV and word splitting behind the
 * `sentiment` oracle (now the `text` oracle with the VADER scorer, text.c) are in textdata.h. */
#ifndef SPX_ORACLE_SENTIMENT_H
#define SPX_ORACLE_SENTIMENT_H

#include "textdata.h"

#endif
