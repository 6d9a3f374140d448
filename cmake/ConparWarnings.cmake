# Warnings and sanitizers live on one interface target that every conpar target links;
# CMAKE_COMPILE_WARNING_AS_ERROR turns the warnings into errors.
add_library(conpar_warnings INTERFACE)
target_compile_options(conpar_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wvla -Wcast-qual -Wundef)
# Exactness depends on IEEE semantics (NaN, signed zero, ordered max): never fast-math.
target_compile_options(conpar_warnings INTERFACE -fno-fast-math -ffp-contract=off)
if(CONPAR_SANITIZE STREQUAL "ON") # the old boolean spelling
  set(CONPAR_SANITIZE address)
endif()
if(NOT CONPAR_SANITIZE)
  # none
elseif(CONPAR_SANITIZE STREQUAL "address")
  target_compile_options(conpar_warnings INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(conpar_warnings INTERFACE -fsanitize=address,undefined)
elseif(CONPAR_SANITIZE STREQUAL "thread")
  # libgomp is not instrumented, so TSan cannot see its barriers: the tsan preset builds with
  # clang and LLVM's OpenMP, whose Archer tool (OMP_TOOL_LIBRARIES) tells TSan about them
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CONPAR_SANITIZE=thread needs clang (cmake --preset tsan)")
  endif()
  target_compile_options(conpar_warnings INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(conpar_warnings INTERFACE -fsanitize=thread)
else()
  message(FATAL_ERROR "CONPAR_SANITIZE must be address, thread or empty, not ${CONPAR_SANITIZE}")
endif()
if(CONPAR_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CONPAR_FUZZ needs clang (cmake --preset fuzz)")
  endif()
  # coverage instrumentation stops the vectoriser, which clang reports for `omp simd` loops
  target_compile_options(conpar_warnings INTERFACE -fsanitize=fuzzer-no-link -Wno-pass-failed)
endif()
