// toml_shim.cpp: the C interface of toml_shim.h over toml++ (exceptions caught here).
#include "toml_shim.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include <toml++/toml.h>

struct spx_toml {
  toml::table root;
};

namespace {

const toml::node *N(const spx_toml_node *p) { return reinterpret_cast<const toml::node *>(p); }
const spx_toml_node *C(const toml::node *p) { return reinterpret_cast<const spx_toml_node *>(p); }

void put(char *err, size_t errlen, const std::string &msg) {
  if (err && errlen) std::snprintf(err, errlen, "%s", msg.c_str());
}

std::string describe(const toml::parse_error &e, const char *fallback) {
  const auto &src = e.source();
  std::ostringstream os;
  os << (src.path ? src.path->c_str() : fallback) << ":" << src.begin.line << ":"
     << src.begin.column << ": " << e.description();
  return os.str();
}

spx_toml_pos pos_of(const toml::source_region &src) {
  spx_toml_pos p{nullptr, 0, 0};
  if (src.path) p.file = src.path->c_str();
  p.line = src.begin.line;
  p.column = src.begin.column;
  return p;
}

// One step of a path: a key, or an array index.
struct step {
  std::string key;
  long index; // -1 for a key step
};

// A key as it would be written in TOML: bare when it can be, else quoted with escapes.
std::string key_text(const std::string &k) {
  bool bare = !k.empty();
  for (unsigned char c : k)
    if (!(std::isalnum(c) || c == '_' || c == '-')) bare = false;
  if (bare) return k;
  std::string q = "\"";
  for (unsigned char c : k) {
    if (c == '"' || c == '\\') {
      q += '\\';
      q += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      q += esc;
    } else {
      q += static_cast<char>(c);
    }
  }
  return q + "\"";
}

const char *const nul_why =
    "holds \\u0000 (a NUL character): text ends there in C, so the rest would be lost; "
    "remove it";

// A key or string holding U+0000 anywhere under node (path names node): its path ("what" is
// "key" or "string") and position. C strings end at the NUL, so such text would be cut short
// without a word; documents with one are refused.
bool find_nul(const toml::node &node, const std::string &path, std::string &bad,
              const char *&what, toml::source_region &where) {
  if (const toml::table *t = node.as_table()) {
    for (auto &&[k, v] : *t) {
      std::string sub = (path.empty() ? "" : path + ".") + key_text(std::string(k.str()));
      if (k.str().find('\0') != std::string_view::npos) {
        bad = sub;
        what = "key";
        where = k.source().begin.line ? k.source() : v.source();
        return true;
      }
      if (find_nul(v, sub, bad, what, where)) return true;
    }
  } else if (const toml::array *a = node.as_array()) {
    for (size_t i = 0; i < a->size(); i++)
      if (find_nul(*a->get(i), path + "[" + std::to_string(i) + "]", bad, what, where))
        return true;
  } else if (const toml::value<std::string> *s = node.as_string()) {
    if (s->get().find('\0') != std::string::npos) {
      bad = path;
      what = "string";
      where = s->source();
      return true;
    }
  }
  return false;
}

// "file:line:column: PATH: the string holds \u0000 ..." for the first NUL in doc, or "".
std::string nul_message(const toml::table &doc, const char *fallback) {
  std::string bad;
  const char *what = "";
  toml::source_region where;
  if (!find_nul(doc, "", bad, what, where)) return "";
  std::ostringstream os;
  os << (where.path ? where.path->c_str() : fallback);
  if (where.begin.line) os << ":" << where.begin.line << ":" << where.begin.column;
  os << ": " << bad << ": the " << what << " " << nul_why;
  return os.str();
}

// The text of one quoted key segment starting at s ('"...' with TOML's escapes, or '\'...'
// verbatim), decoded into key; s is left after the closing quote. False with why set when the
// quote is not closed or an escape is not TOML.
bool quoted_segment(const char *&s, const char *path, std::string &key, std::string &why) {
  const char q = *s;
  const char *e = s + 1;
  while (*e && *e != q) e += (q == '"' && *e == '\\' && e[1]) ? 2 : 1;
  if (*e != q) {
    why = "unterminated quoted key in '" + std::string(path) + "'";
    return false;
  }
  if (q == '\'') {
    key.assign(s + 1, e);
  } else {
    try { // toml++ decodes the escapes exactly as in a document
      toml::table t = toml::parse("k = " + std::string(s, e + 1));
      key = std::string(t["k"].value_or(std::string_view()));
    } catch (const toml::parse_error &err) {
      why = "bad quoted key " + std::string(s, e + 1) + " in '" + path +
            "': " + std::string(err.description());
      return false;
    }
  }
  s = e + 1;
  return true;
}

// A --set path: TOML dotted-key segments (bare, "basic" or 'literal', with optional spaces
// around the dots, so oracle."a.b" is one key a.b below oracle), each optionally followed
// by array indices [N].
bool split_path(const char *path, std::vector<step> &out, std::string &why) {
  const char *s = path;
  if (*s == '\0') {
    why = "empty key";
    return false;
  }
  while (*s) {
    while (*s == ' ' || *s == '\t') s++;
    std::string key;
    if (*s == '"' || *s == '\'') {
      if (!quoted_segment(s, path, key, why)) return false;
      if (key.find('\0') != std::string::npos) {
        why = "the key " + key_text(key) + " " + nul_why;
        return false;
      }
    } else {
      while (*s && *s != '.' && *s != '[' && *s != '"' && *s != '\'') key += *s++;
      while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
      if (key.empty()) {
        why = "empty part in key '" + std::string(path) + "'";
        return false;
      }
    }
    while (*s == ' ' || *s == '\t') s++;
    out.push_back({key, -1});
    while (*s == '[') {
      char *end;
      long i = std::strtol(s + 1, &end, 10);
      if (end == s + 1 || *end != ']' || i < 0) {
        why = "bad array index in key '" + std::string(path) + "'";
        return false;
      }
      out.push_back({"", i});
      s = end + 1;
    }
    if (*s == '.') {
      s++;
      if (*s == '\0') {
        why = "key '" + std::string(path) + "' ends with '.'";
        return false;
      }
    } else if (*s) {
      why = "unexpected '" + std::string(1, *s) + "' in key '" + std::string(path) + "'";
      return false;
    }
  }
  return true;
}

// Parse value text as the TOML value of "v = TEXT"; if that fails, as a string.
bool parse_value(const char *value, const char *source, toml::table &holder) {
  try {
    holder = toml::parse(std::string("v = ") + value, std::string_view(source));
    if (holder.get("v") != nullptr && holder.size() == 1) return true;
  } catch (const toml::parse_error &) {
  }
  std::string quoted = "v = \"";
  for (const char *c = value; *c; c++) {
    unsigned char u = static_cast<unsigned char>(*c);
    if (u == '"' || u == '\\') {
      quoted += '\\';
      quoted += *c;
    } else if (u < 0x20 || u == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      quoted += esc;
    } else {
      quoted += *c;
    }
  }
  quoted += "\"";
  try {
    holder = toml::parse(quoted, std::string_view(source));
    return holder.get("v") != nullptr;
  } catch (const toml::parse_error &) {
    return false;
  }
}

} // namespace

extern "C" {

spx_toml *spx_toml_parse_file(const char *path, char *err, size_t errlen) {
  try {
    spx_toml *doc = new spx_toml;
    try {
      doc->root = toml::parse_file(path);
    } catch (const toml::parse_error &e) {
      delete doc;
      put(err, errlen, describe(e, path));
      return nullptr;
    }
    std::string nul = nul_message(doc->root, path);
    if (!nul.empty()) {
      delete doc;
      put(err, errlen, nul);
      return nullptr;
    }
    return doc;
  } catch (const std::bad_alloc &) {
    put(err, errlen, std::string(path) + ": out of memory");
  } catch (const std::exception &e) {
    put(err, errlen, std::string(path) + ": " + e.what());
  }
  return nullptr;
}

spx_toml *spx_toml_parse_string(const char *text, const char *source, char *err,
                                size_t errlen) {
  try {
    spx_toml *doc = new spx_toml;
    try {
      doc->root = toml::parse(std::string_view(text), std::string_view(source));
    } catch (const toml::parse_error &e) {
      delete doc;
      put(err, errlen, describe(e, source));
      return nullptr;
    }
    std::string nul = nul_message(doc->root, source);
    if (!nul.empty()) {
      delete doc;
      put(err, errlen, nul);
      return nullptr;
    }
    return doc;
  } catch (const std::exception &e) {
    put(err, errlen, std::string(source) + ": " + e.what());
  }
  return nullptr;
}

void spx_toml_destroy(spx_toml **doc) {
  if (doc == nullptr || *doc == nullptr) return;
  delete *doc;
  *doc = nullptr;
}

const spx_toml_node *spx_toml_root(const spx_toml *doc) { return C(&doc->root); }

spx_toml_type spx_toml_type_of(const spx_toml_node *node) {
  if (node == nullptr) return SPX_TOML_NONE;
  switch (N(node)->type()) {
  case toml::node_type::table: return SPX_TOML_TABLE;
  case toml::node_type::array: return SPX_TOML_ARRAY;
  case toml::node_type::string: return SPX_TOML_STRING;
  case toml::node_type::integer: return SPX_TOML_INT;
  case toml::node_type::floating_point: return SPX_TOML_FLOAT;
  case toml::node_type::boolean: return SPX_TOML_BOOL;
  case toml::node_type::date:
  case toml::node_type::time:
  case toml::node_type::date_time: return SPX_TOML_DATETIME;
  default: return SPX_TOML_NONE;
  }
}

const char *spx_toml_type_name(spx_toml_type type) {
  switch (type) {
  case SPX_TOML_TABLE: return "a table";
  case SPX_TOML_ARRAY: return "an array";
  case SPX_TOML_STRING: return "a string";
  case SPX_TOML_INT: return "an integer";
  case SPX_TOML_FLOAT: return "a floating-point number";
  case SPX_TOML_BOOL: return "a boolean";
  case SPX_TOML_DATETIME: return "a date/time";
  default: return "nothing";
  }
}

spx_toml_pos spx_toml_where(const spx_toml_node *node) { return pos_of(N(node)->source()); }

size_t spx_toml_count(const spx_toml_node *node) {
  if (const toml::table *t = N(node)->as_table()) return t->size();
  if (const toml::array *a = N(node)->as_array()) return a->size();
  return 0;
}

const spx_toml_node *spx_toml_entry(const spx_toml_node *table, size_t i, const char **key,
                                    spx_toml_pos *keypos) {
  const toml::table *t = N(table)->as_table();
  if (t == nullptr || i >= t->size()) return nullptr;
  auto it = t->begin();
  std::advance(it, static_cast<long>(i));
  if (key) *key = it->first.str().data();
  if (keypos) {
    *keypos = pos_of(it->first.source());
    if (keypos->line == 0) *keypos = pos_of(it->second.source());
  }
  return C(&it->second);
}

const spx_toml_node *spx_toml_find(const spx_toml_node *table, const char *key) {
  const toml::table *t = N(table)->as_table();
  return t ? C(t->get(key)) : nullptr;
}

const spx_toml_node *spx_toml_at(const spx_toml_node *array, size_t i) {
  const toml::array *a = N(array)->as_array();
  return a ? C(a->get(i)) : nullptr;
}

const char *spx_toml_string(const spx_toml_node *node) {
  const toml::value<std::string> *s = N(node)->as_string();
  return s ? s->get().c_str() : nullptr;
}

int spx_toml_int(const spx_toml_node *node, long long *out) {
  const toml::value<int64_t> *v = N(node)->as_integer();
  if (v == nullptr) return -1;
  *out = v->get();
  return 0;
}

int spx_toml_double(const spx_toml_node *node, double *out) {
  if (const toml::value<double> *v = N(node)->as_floating_point()) {
    *out = v->get();
    return 0;
  }
  if (const toml::value<int64_t> *v = N(node)->as_integer()) {
    *out = static_cast<double>(v->get());
    return 0;
  }
  return -1;
}

int spx_toml_bool(const spx_toml_node *node, int *out) {
  const toml::value<bool> *v = N(node)->as_boolean();
  if (v == nullptr) return -1;
  *out = v->get() ? 1 : 0;
  return 0;
}

int spx_toml_text(const spx_toml_node *node, char *buf, size_t len) {
  const toml::node *n = N(node);
  if (const auto *s = n->as_string()) return std::snprintf(buf, len, "%s", s->get().c_str());
  if (const auto *i = n->as_integer())
    return std::snprintf(buf, len, "%lld", static_cast<long long>(i->get()));
  if (const auto *d = n->as_floating_point()) {
    double v = d->get();
    if (std::isnan(v)) return std::snprintf(buf, len, "nan");
    if (std::isinf(v)) return std::snprintf(buf, len, v > 0 ? "inf" : "-inf");
    return std::snprintf(buf, len, "%.17g", v);
  }
  if (const auto *b = n->as_boolean()) return std::snprintf(buf, len, b->get() ? "true" : "false");
  if (n->is_date() || n->is_time() || n->is_date_time()) {
    std::ostringstream os;
    if (const auto *d = n->as_date()) os << *d;
    if (const auto *t = n->as_time()) os << *t;
    if (const auto *dt = n->as_date_time()) os << *dt;
    return std::snprintf(buf, len, "%s", os.str().c_str());
  }
  return -1;
}

int spx_toml_set(spx_toml *doc, const char *path, const char *value, const char *source,
                 char *err, size_t errlen) {
  try {
    std::vector<step> steps;
    std::string why;
    if (!split_path(path, steps, why)) {
      put(err, errlen, why);
      return -1;
    }
    toml::table holder;
    if (!parse_value(value, source, holder)) {
      put(err, errlen, std::string("cannot read value '") + value + "'");
      return -1;
    }
    toml::node *v = holder.get("v");
    std::string bad;
    const char *what = "";
    toml::source_region where;
    if (find_nul(*v, "", bad, what, where)) {
      put(err, errlen, (bad.empty() ? std::string() : bad + ": ") + "the " + what + " " + nul_why);
      return -1;
    }
    // Walk to the parent of the last step, creating tables for missing keys.
    toml::node *cur = &doc->root;
    std::string walked;
    for (size_t k = 0; k + 1 < steps.size(); k++) {
      const step &s = steps[k];
      toml::node *next = nullptr;
      if (s.index < 0) {
        toml::table *t = cur->as_table();
        if (t == nullptr) {
          put(err, errlen, "'" + walked + "' is not a table");
          return -1;
        }
        next = t->get(s.key);
        if (next == nullptr) {
          t->insert_or_assign(s.key, toml::table{});
          next = t->get(s.key);
        }
        walked += (walked.empty() ? "" : ".") + s.key;
      } else {
        toml::array *a = cur->as_array();
        if (a == nullptr || static_cast<size_t>(s.index) >= a->size()) {
          put(err, errlen,
              "'" + walked + "' has no element [" + std::to_string(s.index) + "]");
          return -1;
        }
        next = a->get(static_cast<size_t>(s.index));
        walked += "[" + std::to_string(s.index) + "]";
      }
      cur = next;
    }
    const step &last = steps.back();
    if (last.index < 0) {
      toml::table *t = cur->as_table();
      if (t == nullptr) {
        put(err, errlen, "'" + walked + "' is not a table");
        return -1;
      }
      v->visit([&](auto &&concrete) { t->insert_or_assign(last.key, std::move(concrete)); });
    } else {
      toml::array *a = cur->as_array();
      if (a == nullptr || static_cast<size_t>(last.index) >= a->size()) {
        put(err, errlen, "'" + walked + "' has no element [" + std::to_string(last.index) + "]");
        return -1;
      }
      auto pos = a->begin() + last.index;
      v->visit([&](auto &&concrete) { a->replace(pos, std::move(concrete)); });
    }
    return 0;
  } catch (const std::exception &e) {
    put(err, errlen, std::string("cannot set '") + path + "': " + e.what());
  }
  return -1;
}

char *spx_toml_dump(const spx_toml *doc) {
  try {
    std::ostringstream os;
    os << toml::toml_formatter{doc->root};
    os << "\n";
    std::string s = os.str();
    char *out = static_cast<char *>(std::malloc(s.size() + 1));
    if (out) std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
  } catch (const std::exception &) {
    return nullptr;
  }
}

} // extern "C"
