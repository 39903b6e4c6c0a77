#!/usr/bin/env bash
# tests/cli/layers.sh: the layer boundaries of docs/architecture.md hold.
#   1. Only src/par includes <mpi.h> and only src/io includes <hdf5.h> (tests aside).
#   2. The build enforces it: with the compile flags of the oracles layer (any layer but par
#      and io) a file including <mpi.h> or <hdf5.h> does not compile, while with the flags of
#      par / io it does.
. "$(dirname "$0")/../lib/harness.sh"
BUILD=$(dirname "$BIN")
bad=$(grep -rlE '#include *<mpi\.h>' "$SRC/src" "$SRC/experiments" "$SRC/baselines" | grep -v "/src/par/")
[ -z "$bad" ]; check "<mpi.h> only in src/par (found in: $bad)" $?
bad=$(grep -rlE '#include *<hdf5\.h>' "$SRC/src" "$SRC/experiments" "$SRC/baselines" | grep -v "/src/io/")
[ -z "$bad" ]; check "<hdf5.h> only in src/io (found in: $bad)" $?

flags() { sed -n 's/^C_INCLUDES = //p' "$BUILD/CMakeFiles/$1.dir/flags.make" 2>/dev/null; }
if [ -z "$(flags spx_oracles)" ]; then
  [ "$fail" = 0 ] || finish
  skip "no per-layer flags under $BUILD (not a Makefile build)"
fi
echo '#include <mpi.h>' >"$tmp/m.c"
echo '#include <hdf5.h>' >"$tmp/h.c"
cc=${CC:-cc}
compiles() { # compiles LAYER FILE
  # shellcheck disable=SC2046
  $cc $(flags "$1") -c "$2" -o "$tmp/x.o" 2>/dev/null
}
for layer in spx_core spx_model spx_methods spx_oracles spx_config spx_experiments; do
  ! compiles $layer "$tmp/m.c"; check "$layer cannot include <mpi.h>" $?
  ! compiles $layer "$tmp/h.c"; check "$layer cannot include <hdf5.h>" $?
done
compiles spx_par "$tmp/m.c"; check "spx_par can include <mpi.h>" $?
compiles spx_io "$tmp/h.c"; check "spx_io can include <hdf5.h>" $?
finish
