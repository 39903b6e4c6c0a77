/* check_command.c: the program of a model's shell command, looked for by `check`
 * (check_command.h). A small reader of sh's words: quotes, backslashes, assignments; anything
 * it cannot decide without the shell is accepted, so a valid command is never refused. */
#include "check_command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/options.h"
#include "oracle/process.h"

enum { WORDS = 64 };

typedef struct {
  char *text[WORDS];
  int dynamic[WORDS]; /* holds an expansion ($, `), a glob or ~user: known only to the shell */
  int assign[WORDS];  /* NAME=value with an unquoted '=' after a valid name */
  size_t count;
  int cut; /* an operator or redirection ended the words (or they were too many) */
} words;

static void words_free(words *w) {
  for (size_t i = 0; i < w->count; i++) free(w->text[i]);
  w->count = 0;
}

static int is_name_char(char c, int first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (!first && c >= '0' && c <= '9');
}

/* The words of command up to its first operator (; & | ( ) newline) or redirection, unquoted.
 * Returns -1 when out of memory. */
static int split_words(const char *s, words *w) {
  memset(w, 0, sizeof *w);
  size_t cap = strlen(s) + 1;
  while (*s) {
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '\0') break;
    if (strchr(";&|()<>\n#", *s) || w->count == WORDS) {
      w->cut = 1;
      break;
    }
    char *t = malloc(cap);
    if (t == NULL) return -1;
    size_t n = 0;
    int dyn = 0, assign = 0, name = 1, digits = 1;
    if (*s == '~' && s[1] != '/' && s[1] != ' ' && s[1] != '\t' && s[1] != '\0') dyn = 1;
    while (*s && !strchr(" \t;&|()<>\n", *s)) {
      char c = *s;
      if (c == '\'') {
        const char *e = strchr(s + 1, '\'');
        if (e == NULL) { /* unterminated: the shell's error, not ours */
          dyn = 1;
          e = s + strlen(s) - 1;
        }
        memcpy(t + n, s + 1, (size_t)(e - s - 1 > 0 ? e - s - 1 : 0));
        n += (size_t)(e - s - 1 > 0 ? e - s - 1 : 0);
        s = *e ? e + 1 : e;
        name = 0;
        continue;
      }
      if (c == '"') {
        s++;
        while (*s && *s != '"') {
          if (*s == '\\' && s[1] && strchr("$`\"\\\n", s[1])) s++;
          else if (*s == '$' || *s == '`') dyn = 1;
          t[n++] = *s++;
        }
        if (*s == '"') s++;
        else dyn = 1;
        name = 0;
        continue;
      }
      if (c == '\\') {
        if (s[1]) t[n++] = s[1], s += 2;
        else s++;
        name = 0;
        continue;
      }
      if (c == '$' || c == '`' || c == '*' || c == '?' || c == '[') dyn = 1;
      if (c == '=' && name && n > 0) assign = 1;
      if (!assign) name = name && is_name_char(c, n == 0);
      digits = digits && c >= '0' && c <= '9';
      t[n++] = c;
      s++;
    }
    t[n] = '\0';
    /* a redirection such as 2>err: the digits belong to it */
    if ((*s == '<' || *s == '>') && digits && n > 0) {
      free(t);
      w->cut = 1;
      break;
    }
    if (t[0] == '~' && t[1] == '/') { /* ~/x is $HOME/x */
      const char *home = getenv("HOME");
      if (home == NULL) {
        dyn = 1;
      } else {
        char *h = malloc(strlen(home) + n + 1);
        if (h == NULL) {
          free(t);
          return -1;
        }
        sprintf(h, "%s%s", home, t + 1);
        free(t);
        t = h;
      }
    }
    w->text[w->count] = t;
    w->dynamic[w->count] = dyn;
    w->assign[w->count] = assign;
    w->count++;
  }
  return 0;
}

static int in_list(const char *s, const char *const *list) {
  for (; *list; list++)
    if (strcmp(s, *list) == 0) return 1;
  return 0;
}

/* Shell keywords and builtins (dash's, with bash's common ones): they need no program. */
static const char *const builtins[] = {
    "!", "{", "}", "[[", "]]", "case", "do", "done", "elif", "else", "esac", "fi", "for",
    "function", "if", "in", "select", "then", "until", "while", ".", ":", "[", "alias", "bg",
    "break", "builtin", "cd", "command", "continue", "declare", "echo", "eval", "exit",
    "export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "let", "local", "printf",
    "pwd", "read", "readonly", "return", "set", "shift", "source", "test", "times", "trap",
    "true", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait", NULL};

/* 1 when path is an executable regular file. */
static int executable_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The program's problem (1, why set) or 0. */
static int program_problem(const char *prog, char *why, size_t len) {
  struct stat st;
  if (strchr(prog, '/')) {
    if (stat(prog, &st) != 0) {
      snprintf(why, len, "the program '%s' does not exist", prog);
      return 1;
    }
    if (S_ISDIR(st.st_mode)) {
      snprintf(why, len, "the program '%s' is a directory", prog);
      return 1;
    }
    if (!S_ISREG(st.st_mode) || access(prog, X_OK) != 0) {
      snprintf(why, len,
               "the program '%s' is not an executable file (chmod +x it, or start it through "
               "its interpreter)",
               prog);
      return 1;
    }
    return 0;
  }
  const char *path = getenv("PATH");
  if (path == NULL) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  size_t plen = strlen(prog);
  for (const char *p = path;;) {
    const char *e = strchr(p, ':');
    size_t dl = e ? (size_t)(e - p) : strlen(p);
    char *full = malloc(dl + plen + 2);
    if (full == NULL) return 0; /* cannot tell */
    if (dl == 0)
      snprintf(full, dl + plen + 2, "%s", prog); /* an empty entry is the current directory */
    else
      snprintf(full, dl + plen + 2, "%.*s/%s", (int)dl, p, prog);
    int ok = executable_file(full);
    free(full);
    if (ok) return 0;
    if (e == NULL) break;
    p = e + 1;
  }
  snprintf(why, len, "the program '%s' is not found (no executable of that name on PATH, and "
                     "not a shell builtin)", prog);
  return 1;
}

static int has_suffix(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* 1 when word names a script file rather than something else (a module, code, a value). */
static int looks_like_script(const char *word) {
  static const char *const suffixes[] = {".py", ".js", ".mjs", ".cjs", ".R", ".r", ".sh",
                                         ".bash", NULL};
  if (strchr(word, '/')) return 1;
  for (const char *const *s = suffixes; *s; s++)
    if (has_suffix(word, *s) && strlen(word) > strlen(*s)) return 1;
  return 0;
}

typedef enum { PY, NODE, RSCRIPT, SHELL, OTHER } interp;

static interp interpreter(const char *prog) {
  const char *base = strrchr(prog, '/');
  base = base ? base + 1 : prog;
  if (strcmp(base, "python") == 0 || strcmp(base, "python3") == 0 ||
      strcmp(base, "python2") == 0)
    return PY;
  if (strncmp(base, "python3.", 8) == 0 && base[8] >= '0' && base[8] <= '9') return PY;
  if (strcmp(base, "node") == 0 || strcmp(base, "nodejs") == 0) return NODE;
  if (strcmp(base, "Rscript") == 0) return RSCRIPT;
  if (strcmp(base, "sh") == 0 || strcmp(base, "bash") == 0 || strcmp(base, "dash") == 0)
    return SHELL;
  return OTHER;
}

/* The script argument of interpreter kind at words k.. : its problem (1) or 0. */
static int script_problem(interp kind, const char *prog, const words *w, size_t k, char *why,
                          size_t len) {
  static const char *const node_valued[] = {"-r", "--require", "--import", "--loader",
                                            "--experimental-loader", "-C", "--conditions",
                                            "--title", "--input-type", NULL};
  static const char *const node_code[] = {"-e", "--eval", "-p", "--print", "-i",
                                          "--interactive", "-", NULL};
  for (; k < w->count; k++) {
    const char *a = w->text[k];
    if (w->dynamic[k]) return 0;
    if (strcmp(a, "--") == 0) {
      k++;
      break;
    }
    if (a[0] != '-' && !(kind == SHELL && a[0] == '+')) break;
    if (strcmp(a, "-") == 0) return 0; /* the script is stdin */
    switch (kind) {
    case PY:
      if (a[1] == '-') continue; /* --long options take no separate value */
      if (strpbrk(a + 1, "cm")) return 0; /* -c code, -m module */
      if (strpbrk(a + 1, "WXQ") && strlen(strpbrk(a + 1, "WXQ")) == 1) k++;
      continue;
    case NODE:
      if (in_list(a, node_code)) return 0;
      if (in_list(a, node_valued)) k++;
      continue;
    case RSCRIPT:
      if (strcmp(a, "-e") == 0) return 0;
      continue;
    case SHELL:
      if (a[1] != '-' && strpbrk(a + 1, "cs")) return 0; /* -c code, -s: stdin */
      if (a[1] != '-' && a[strlen(a) - 1] == 'o') k++;   /* -o option */
      continue;
    default:
      return 0;
    }
  }
  if (k >= w->count || w->dynamic[k] || !looks_like_script(w->text[k])) return 0;
  struct stat st;
  if (stat(w->text[k], &st) == 0) return 0;
  snprintf(why, len, "the script '%s' (the first argument of %s) does not exist", w->text[k],
           prog);
  return 1;
}

int spx_command_problem(const char *command, char *why, size_t len) {
  words w;
  if (split_words(command, &w) != 0) {
    words_free(&w);
    return 0;
  }
  int problem = 0;
  size_t k = 0;
  for (; k < w.count && w.assign[k]; k++)
    if (strncmp(w.text[k], "PATH=", 5) == 0) goto done; /* the lookup is the shell's */
  if (k < w.count && !w.dynamic[k] && strcmp(w.text[k], "exec") == 0) k++;
  if (k >= w.count || w.dynamic[k] || w.text[k][0] == '-') goto done;
  const char *prog = w.text[k];
  if (!strchr(prog, '/') && in_list(prog, builtins)) goto done;
  problem = program_problem(prog, why, len);
  if (!problem) {
    interp kind = interpreter(prog);
    if (kind != OTHER) problem = script_problem(kind, prog, &w, k + 1, why, len);
  }
done:
  words_free(&w);
  return problem;
}

int spx_check_commands(const spx_config *cfg, spx_error *err) {
  size_t I = spx_config_instances(cfg);
  int rc = SPX_OK, templated = 1;
  for (size_t i = 0; rc == SPX_OK && i < I && templated; i++) {
    spx_options *o = spx_config_oracle_options(cfg, i, err);
    if (o == NULL) return err ? err->code : SPX_ENOMEM;
    const char *where = NULL, *command = NULL;
    for (size_t j = 0; j < spx_options_count(o); j++) {
      const char *key, *text, *at;
      spx_option_kind kind;
      spx_options_at(o, j, &key, &kind, &text, &at);
      if (strcmp(key, "command") == 0 && kind == SPX_OPT_STRING) command = text, where = at;
    }
    if (command != NULL) {
      size_t e = spx_config_instance_explicand(cfg, i);
      templated = strstr(command, "{e}") != NULL; /* else one look is enough */
      char *c = spx_process_command_for(command, e), why[1024], which[64] = "";
      if (templated) snprintf(which, sizeof which, " (explicand %zu)", e);
      if (c == NULL)
        rc = spx_error_set(err, SPX_ENOMEM, "out of memory");
      else if (spx_command_problem(c, why, sizeof why))
        rc = spx_error_set(err, SPX_EINVAL, "%s: oracle.command%s: %s",
                           where ? where : cfg->source, which, why);
      free(c);
    } else {
      templated = 0;
    }
    spx_options_destroy(&o);
  }
  return rc;
}
