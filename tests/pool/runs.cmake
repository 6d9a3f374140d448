# The process pool (src/pool.c) for real, from a singleton: tests/pool_probe.c starts pools,
# checks what the strategies need on the merged communicator, and the scripts here kill,
# starve and interrupt them. Included from tests/CMakeLists.txt.

add_executable(pool_probe pool_probe.c)
target_compile_definitions(pool_probe PRIVATE _GNU_SOURCE)
target_link_libraries(pool_probe PRIVATE conpar_lib m)
