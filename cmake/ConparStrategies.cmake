# The strategy lists (src/cpu/strategies.def, src/io/strategies.def) are the one place a strategy
# is named: the registries include them, and the build and the tests read them here.
#   CONPAR_CPU_STRATEGIES, CONPAR_IO_STRATEGIES   names in report order
#   CONPAR_STRATEGY_SOURCES                       src/cpu/<name>.c and src/io/<name>.c
function(conpar_read_strategies def out)
  file(STRINGS ${def} lines REGEX "^CP_STRATEGY\\([a-z0-9_]+\\)")
  set(names)
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^CP_STRATEGY\\(([a-z0-9_]+)\\).*" "\\1" name "${line}")
    list(APPEND names ${name})
  endforeach()
  set(${out} ${names} PARENT_SCOPE)
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${def})
endfunction()

conpar_read_strategies(${PROJECT_SOURCE_DIR}/src/cpu/strategies.def CONPAR_CPU_STRATEGIES)
conpar_read_strategies(${PROJECT_SOURCE_DIR}/src/io/strategies.def CONPAR_IO_STRATEGIES)
set(CONPAR_STRATEGY_SOURCES)
foreach(s IN LISTS CONPAR_CPU_STRATEGIES)
  list(APPEND CONPAR_STRATEGY_SOURCES src/cpu/${s}.c)
endforeach()
foreach(s IN LISTS CONPAR_IO_STRATEGIES)
  list(APPEND CONPAR_STRATEGY_SOURCES src/io/${s}.c)
endforeach()
