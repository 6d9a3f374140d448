# The MPI strategies under mpiexec with 1-4 ranks (oversubscribed) and 1 or 2 OpenMP threads
# per rank: every answer equal to the single-process one. Included from tests/CMakeLists.txt.

set(quick --phase cpu --warmup 0 --repeat 1)
set(mpi_strategies -c seq,scatter,window,distributed)

# Start of block k when n elements are split into `parts` blocks (src/data/block.c).
function(block_start n parts k out)
  math(EXPR base "${n} / ${parts}")
  math(EXPR extra "${n} % ${parts}")
  if(k LESS extra)
    set(more ${k})
  else()
    set(more ${extra})
  endif()
  math(EXPR start "${k} * ${base} + ${more}")
  set(${out} ${start} PARENT_SCOPE)
endfunction()

foreach(t 1 2)
  # the known answer of seed 42 (tests/cli), by every strategy, on every rank count
  conpar_add_run(mpi.known_answer.t${t} ARGS --size 1M ${quick} RANKS 1 2 3 4 THREADS ${t}
                 JSON_CHECK "index=346368 value=0x1.fffffa6ccbd2bp-1 strategies=${conpar_ncpu}" LABELS mpi)
  # uneven blocks: 1000003 is prime
  conpar_add_run(mpi.uneven.t${t} ARGS --size 1000003 --seed 7 ${mpi_strategies} ${quick}
                 RANKS 2 3 4 THREADS ${t} JSON_CHECK "strategies=4" LABELS mpi)
endforeach()

# A max, then a NaN, planted on the first element of a rank's block (every rank count: the
# second and the last rank), where an off-by-one in block starts would show.
set(n 1000003)
foreach(r 2 3 4)
  math(EXPR last "${r} - 1")
  set(ks 1 ${last})
  list(REMOVE_DUPLICATES ks)
  foreach(k IN LISTS ks)
    block_start(${n} ${r} ${k} at)
    conpar_add_run(mpi.plant_max.rank${k} ARGS --size ${n} --plant-max ${at} ${mpi_strategies}
                   ${quick} RANKS ${r} JSON_CHECK "index=${at} value=1" LABELS mpi)
    conpar_add_run(mpi.plant_nan.rank${k}
                   ARGS --size ${n} --plant-max 5 --plant-nan ${at} ${mpi_strategies} ${quick}
                   RANKS ${r} JSON_CHECK "index=${at} value=nan nan_count=1" LABELS mpi)
    conpar_add_run(mpi.plant_nan_skip.rank${k}
                   ARGS --size ${n} --plant-max 5 --plant-nan ${at} --nan skip ${mpi_strategies}
                        ${quick}
                   RANKS ${r} JSON_CHECK "index=5 value=1 nan_count=1" LABELS mpi)
  endforeach()
endforeach()

# Fewer elements than ranks: the empty ranks contribute nothing.
conpar_add_run(mpi.tiny ARGS --size 3 --plant-max 2 ${mpi_strategies} ${quick} RANKS 4
               JSON_CHECK "index=2 value=1 ranks=4" LABELS mpi)
conpar_add_run(mpi.one_value ARGS --size 1 ${mpi_strategies} ${quick} RANKS 3 4
               JSON_CHECK "index=0" LABELS mpi)

# Blocks past --mpi-max-count go as point-to-point pieces (the path arrays past 2^31 elements
# take); the window strategy with one host split into two emulated nodes.
conpar_add_run(mpi.pieces ARGS --size 100003 --mpi-max-count 1000 --plant-max 50001
                               -c scatter,seq ${quick}
               RANKS 1 2 3 4 STDOUT "point-to-point pieces of at most 1000"
               JSON_CHECK "index=50001" LABELS mpi)
conpar_add_run(mpi.emulate_nodes ARGS --size 100003 --emulate-nodes 2 -c window,seq ${quick}
               RANKS 2 3 4 THREADS 2 STDOUT "2 node windows" JSON_CHECK "nodes=2" LABELS mpi)
conpar_add_run(mpi.emulate_nodes_one_each ARGS --size 1000 --emulate-nodes 4 -c window ${quick}
               RANKS 4 JSON_CHECK "nodes=4" LABELS mpi)

# Placement: per-rank lines and the oversubscription warning (4 ranks x 2 threads on this
# machine's 2 cores would be 8 threads; the test asks for more threads than any CI box has).
conpar_add_run(mpi.oversubscribed ARGS --size 1000 -c distributed --threads 64 ${quick}
               RANKS 2 STDERR "^conpar: warning: 1 of 1 node is oversubscribed"
               STDOUT "rank 1 +.*node rank 1 of 2, 64 threads" "distributed .*!"
               JSON_CHECK "threads=64" LABELS mpi)

# Too little memory: one line naming the node and what distributed would need, on any rank.
conpar_add_run(mpi.memory ARGS --size 1T -c scatter ${quick} RANKS 2 4 EXIT 2 NO_STDOUT
               CONPAR_LINES 1
               STDERR "^conpar: --size 1000000000000: needs .* on node .*-c distributed needs"
               TIMEOUT 60 LABELS mpi)

# /dev/shm too small for the node's part: window is skipped with the reason, never SIGBUS.
# Needs root for a private tmpfs (a mount namespace); skipped elsewhere.
foreach(case window_only window_and_distributed)
  if(case STREQUAL window_only)
    set(strategies window)
    set(code 2)
  else()
    set(strategies window,distributed)
    set(code 0)
  endif()
  add_test(NAME mpi.small_shm.${case}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/mpi/small_shm.sh ${code}
                   ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 ${CONPAR_MPIEXEC_PREFLAGS}
                   --timeout 40 $<TARGET_FILE:conpar> --size 2M -c ${strategies} ${quick})
  set_tests_properties(mpi.small_shm.${case} PROPERTIES LABELS "run;mpi" TIMEOUT 60
                       PROCESSORS 2 SKIP_RETURN_CODE 77)
  conpar_test_env(mpi.small_shm.${case})
endforeach()

# a rank killed mid-run on this host: mpiexec ends non-zero within 20 s, no rank left behind
add_test(NAME mpi.kill_rank COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/mpi/kill.sh
                                    $<TARGET_FILE:conpar>)
set_tests_properties(mpi.kill_rank PROPERTIES LABELS "run;mpi" TIMEOUT 60)
conpar_test_env(mpi.kill_rank)
