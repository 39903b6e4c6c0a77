/* paths.c: create the directories a file is written into (mkdir -p). */
#include "core/paths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int spx_make_dirs(const char *dir, spx_error *err) {
  if (dir == NULL || dir[0] == '\0' || is_dir(dir)) return SPX_OK;
  char *p = strdup(dir);
  SPX_CHECK_ALLOC(p, err);
  int rc = SPX_OK;
  /* each prefix ending before a '/', then the whole path */
  for (char *s = p + 1;; s++) {
    if (*s != '/' && *s != '\0') continue;
    char c = *s;
    *s = '\0';
    if (!is_dir(p) && mkdir(p, 0777) != 0 && errno != EEXIST) {
      rc = spx_error_set(err, SPX_EIO, "cannot create the directory %s: %s", p, strerror(errno));
      break;
    }
    if (c == '\0') break;
    *s = c;
  }
  free(p);
  return rc;
}

int spx_make_parent_dirs(const char *path, spx_error *err) {
  const char *slash = path ? strrchr(path, '/') : NULL;
  if (slash == NULL || slash == path) return SPX_OK;
  char *dir = strndup(path, (size_t)(slash - path));
  SPX_CHECK_ALLOC(dir, err);
  int rc = spx_make_dirs(dir, err);
  free(dir);
  if (rc) spx_error_prefix(err, "%s", path);
  return rc;
}
