/* paths.h: create the directories a file is written into (mkdir -p), for the result file, the
 * recordings and the oracles' caches. */
#ifndef SPX_PATHS_H
#define SPX_PATHS_H

#include "core/error.h"

/* Create dir and every missing parent (mode 0777 before the umask); SPX_OK when they exist.
 * SPX_EIO names the directory that could not be created and why. */
int spx_make_dirs(const char *dir, spx_error *err);

/* spx_make_dirs of the directory part of path (nothing for a bare file name); an error message
 * starts with path. */
int spx_make_parent_dirs(const char *path, spx_error *err);

#endif
