# Warnings and sanitizers live on one interface target that every conpar target links;
# CMAKE_COMPILE_WARNING_AS_ERROR turns the warnings into errors.
add_library(conpar_warnings INTERFACE)
target_compile_options(conpar_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wformat=2 -Wvla -Wcast-qual -Wundef)
# Exactness depends on IEEE semantics (NaN, signed zero, ordered max): never fast-math.
target_compile_options(conpar_warnings INTERFACE -fno-fast-math -ffp-contract=off)
if(CONPAR_SANITIZE)
  target_compile_options(conpar_warnings INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(conpar_warnings INTERFACE -fsanitize=address,undefined)
endif()
