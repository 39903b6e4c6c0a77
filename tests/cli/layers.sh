#!/usr/bin/env bash
# tests/cli/layers.sh: the layer boundaries of docs/architecture.md hold.
#   1. Only src/par includes <mpi.h> and only src/io includes <hdf5.h> (tests aside).
#   2. The build enforces it: with the compile flags of the oracles layer (any layer but par
#      and io) a file including <mpi.h> or <hdf5.h> does not compile, while with the flags of
#      par / io it does.
set -u
SRC=${SPX_SOURCE_DIR:-$PWD}
BUILD=$(dirname "${SPX_BIN:-$SRC/build/spex-bench}")
fail=0
bad=$(grep -rlE '#include *<mpi\.h>' "$SRC/src" "$SRC/experiments" "$SRC/baselines" | grep -v "/src/par/")
[ -z "$bad" ] || { echo "FAIL: <mpi.h> outside src/par: $bad"; fail=1; }
bad=$(grep -rlE '#include *<hdf5\.h>' "$SRC/src" "$SRC/experiments" "$SRC/baselines" | grep -v "/src/io/")
[ -z "$bad" ] || { echo "FAIL: <hdf5.h> outside src/io: $bad"; fail=1; }

flags() { sed -n 's/^C_INCLUDES = //p' "$BUILD/CMakeFiles/$1.dir/flags.make" 2>/dev/null; }
if [ -z "$(flags spx_oracles)" ]; then
  echo "SKIP: no per-layer flags under $BUILD (not a Makefile build)"
  exit $fail
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo '#include <mpi.h>' >"$tmp/m.c"
echo '#include <hdf5.h>' >"$tmp/h.c"
cc=${CC:-cc}
compiles() { # compiles LAYER FILE
  # shellcheck disable=SC2046
  $cc $(flags "$1") -c "$2" -o "$tmp/x.o" 2>/dev/null
}
for layer in spx_core spx_model spx_methods spx_oracles spx_config spx_experiments; do
  if compiles $layer "$tmp/m.c"; then echo "FAIL: $layer can include <mpi.h>"; fail=1; fi
  if compiles $layer "$tmp/h.c"; then echo "FAIL: $layer can include <hdf5.h>"; fail=1; fi
done
compiles spx_par "$tmp/m.c" || { echo "FAIL: spx_par cannot include <mpi.h>"; fail=1; }
compiles spx_io "$tmp/h.c" || { echo "FAIL: spx_io cannot include <hdf5.h>"; fail=1; }
[ $fail = 0 ] && echo "PASS: MPI only in par, HDF5 only in io"
exit $fail
