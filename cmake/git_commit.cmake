# cmake/git_commit.cmake: writes OUT, a header defining SPX_GIT_COMMIT (the source tree's
# commit, "-dirty" when tracked files differ from it, "unknown" outside git), at every build;
# the file is rewritten only when the text changes, so only its includers recompile then.
# Run by the spx_git_commit target of CMakeLists.txt: cmake -DSRC=... -DOUT=... -P this file.
execute_process(COMMAND git -C "${SRC}" rev-parse --short HEAD OUTPUT_VARIABLE commit
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE status)
if(NOT status EQUAL 0 OR NOT commit)
  set(commit "unknown")
else()
  execute_process(COMMAND git -C "${SRC}" diff --quiet HEAD -- RESULT_VARIABLE dirty
                  OUTPUT_QUIET ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    set(commit "${commit}-dirty")
  endif()
endif()
set(text "/* generated at build time by cmake/git_commit.cmake */\n#define SPX_GIT_COMMIT \"${commit}\"\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
