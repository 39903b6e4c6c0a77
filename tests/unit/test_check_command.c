/* test_check_command.c: `check`'s look for the program of a model's shell command
 * (experiments/check_command.c). In a temporary directory put first on PATH (and made HOME):
 * fake executables python3, node, sh and prog, a plain file, a directory and a script. Every
 * command sh could start, or whose program only the shell can know, must pass (a false alarm
 * would refuse a valid configuration); every missing program or interpreter script must be
 * named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experiments/check_command.h"
#include "testing.h"

static void touch(const char *dir, const char *name, int exec) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs("#!/bin/sh\n", f);
    fclose(f);
  }
  chmod(path, exec ? 0755 : 0644);
}

static void ok(const char *command) {
  char why[1024] = "";
  int p = spx_command_problem(command, why, sizeof why);
  spx_test(p == 0, "accepted: %s%s%s", command, p ? " -> " : "", why);
}

static void refused(const char *command, const char *want) {
  char why[1024] = "";
  int p = spx_command_problem(command, why, sizeof why);
  spx_test(p == 1 && strstr(why, want) != NULL, "refused: %s -> '%s' (want '%s')", command, why,
           want);
}

int main(void) {
  char dir[] = "/tmp/spx_check_command_XXXXXX";
  if (mkdtemp(dir) == NULL) return 1;
  char old[1024];
  if (getcwd(old, sizeof old) == NULL || chdir(dir) != 0) return 1;
  touch(dir, "python3", 1);
  touch(dir, "node", 1);
  touch(dir, "sh", 1);
  touch(dir, "prog", 1);
  touch(dir, "plain", 0);
  touch(dir, "model.py", 0);
  mkdir("sub", 0755);
  touch(dir, "sub/m.js", 0);
  const char *p0 = getenv("PATH");
  char *path0 = strdup(p0 ? p0 : "/usr/bin:/bin");
  if (path0 == NULL) return 1;
  setenv("PATH", dir, 1);
  setenv("HOME", dir, 1);

  /* programs that exist, builtins, and what only the shell can resolve */
  ok("prog");
  ok("./prog --fast");
  ok("exec ./prog");
  ok("X=1 Y='a b' Z=\"c d\" prog -x");
  ok("  prog");
  ok("true");
  ok("read n; read c; echo 1");
  ok("cd sub && ../prog");
  ok("$HOME/anything");
  ok("\"$MODEL\" --x");
  ok("`which x`");
  ok("PATH=/nowhere nosuch");
  ok("2>/dev/null nosuch");
  ok("(nosuch)");
  ok("nosuch*");
  ok("~someone/bin/x");
  ok("");
  /* interpreters: scripts that exist, code, modules, options with values */
  ok("python3 model.py");
  ok("python3 -u -W ignore model.py --n 8");
  ok("python3 -c 'import x'");
  ok("python3 -uc 'import x'");
  ok("python3 -m some.module");
  ok("python3 module_without_suffix");
  ok("python3 ~/model.py");
  ok("python3 - <model.py");
  ok("python3 $DIR/x.py");
  ok("node sub/m.js");
  ok("node --require x sub/m.js");
  ok("node -e 'process.exit()'");
  ok("sh -c 'exit 3'");
  ok("sh -ec 'exit 3'");
  ok("sh -s < x.sh");
  ok("sh -o errexit -- ./prog");

  /* problems */
  refused("nosuch", "the program 'nosuch' is not found");
  refused("X=1 nosuch --x", "the program 'nosuch' is not found");
  refused("nosuch # a comment", "the program 'nosuch' is not found");
  refused("exec nosuch", "the program 'nosuch' is not found");
  refused("./nosuch", "the program './nosuch' does not exist");
  refused("'./no such' x", "the program './no such' does not exist");
  refused("./plain", "the program './plain' is not an executable file");
  refused("./sub", "the program './sub' is a directory");
  refused("python3 nosuch.py", "the script 'nosuch.py' (the first argument of python3)");
  refused("python3 -u -W ignore nosuch.py", "the script 'nosuch.py'");
  refused("python3 'no dir/x.py'", "the script 'no dir/x.py'");
  refused("exec python3 missing/x.py", "the script 'missing/x.py'");
  refused("python3 ~/gone.py", "does not exist");
  refused("node -r mod nosuch.js", "the script 'nosuch.js' (the first argument of node)");
  refused("sh run.sh", "the script 'run.sh' (the first argument of sh)");
  refused("sh -- run.sh", "the script 'run.sh'");

  if (chdir(old) != 0) fprintf(stderr, "could not return to %s\n", old);
  setenv("PATH", path0, 1);
  free(path0);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return spx_test_summary();
}
