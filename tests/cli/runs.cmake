# Runs of the real conpar binary. Included from tests/CMakeLists.txt (conpar_add_run).

set(quick --phase cpu --warmup 0 --repeat 1)

conpar_add_run(help ARGS --help STDOUT "^Usage: conpar" "Examples:" "--cpu-strategies"
               "^  143  interrupted by SIGTERM" LABELS cli)
conpar_add_run(version ARGS --version STDOUT "^conpar [0-9]+\\.[0-9]+\\.[0-9]+$" LABELS cli)
# each subcommand's own help, also under mpiexec (printed once, by rank 0)
conpar_add_run(help.serve ARGS serve --help STDOUT "^Usage: conpar serve" "--workers W" "Examples:"
               LABELS cli)
conpar_add_run(help.generate ARGS generate -h STDOUT "^Usage: .*conpar generate" "--dtype TYPE"
               LABELS cli)
conpar_add_run(help.doctor ARGS doctor --help RANKS 2 STDOUT "^Usage: .*conpar doctor" "--url URL"
               LABELS cli)
# the registries' names, for scripts that must not hard-code them
conpar_add_run(list_strategies ARGS --list-strategies STDOUT "^cpu seq$" "^cpu distributed$"
               "^io async$" LABELS cli)
conpar_add_run(list_strategies.io ARGS --list-strategies io STDOUT "^seq$" "^ranks$" LABELS cli)

# every example line of every --help, run as written (made tiny): exit 0
add_test(NAME cli.examples COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/examples.py
                                   $<TARGET_FILE:conpar> ${MPIEXEC_EXECUTABLE})
set_tests_properties(cli.examples PROPERTIES LABELS cli TIMEOUT 600 PROCESSORS 2)
conpar_test_env(cli.examples)

# The known answer: max and argmax of 1M values from seed 42, computed from the README's
# formula by an independent implementation; every strategy must agree on any launch.
conpar_add_run(known_answer ARGS --size 1M --seed 42 ${quick}
               RANKS singleton 1 2 3 4
               STDOUT "346368" "seq +builtin max" "simd +numpy.max" "threads +ThreadPool"
                      "gil +threads under the GIL" "scatter +ProcessPoolExecutor"
                      "window +SharedArray" "distributed +dask.distributed"
               JSON_CHECK "index=346368 value=0x1.fffffa6ccbd2bp-1 nan_count=0 strategies=${conpar_ncpu} exit_status=0")
conpar_add_run(known_answer_threads3 ARGS --size 1M --threads 3 --chunks 7 ${quick}
               THREADS 3 JSON_CHECK "index=346368 threads=3")
conpar_add_run(ranks_reported ARGS --size 1000 ${quick} -c seq RANKS 3
               STDOUT "ranks +3 on 1 host" JSON_CHECK "ranks=3 hosts=1 index=116")

# Every strategy with 1, 2 and 3 threads: a planted max at the last index for several sizes,
# a planted NaN (propagate: found; skip: the max is found and the NaN counted).
foreach(s seq simd threads gil)
  foreach(t 1 2 3)
    foreach(n 1 7 1000003)
      math(EXPR last "${n} - 1")
      conpar_add_run(plant.${s}.t${t}.n${n}
                     ARGS -c ${s} -t ${t} --size ${n} --plant-max ${last} ${quick}
                     THREADS ${t} JSON_CHECK "index=${last} value=1 strategies=1")
    endforeach()
    conpar_add_run(plant.${s}.t${t}.nan
                   ARGS -c ${s} -t ${t} --size 1000003 --plant-max 10 --plant-nan 500001 ${quick}
                   THREADS ${t} JSON_CHECK "index=500001 value=nan nan_count=1")
    conpar_add_run(plant.${s}.t${t}.nan_skip
                   ARGS -c ${s} -t ${t} --size 1000003 --plant-max 10 --plant-nan 500001
                        --nan skip ${quick}
                   THREADS ${t} JSON_CHECK "index=10 value=1 nan_count=1")
  endforeach()
endforeach()

# All values NaN under --nan skip: nothing to compare, exit 1, one line.
conpar_add_run(all_nan_skip ARGS --size 1 --plant-nan 0 --nan skip ${quick}
               EXIT 1 NO_STDOUT STDERR_LINES 1 STDERR "^conpar: no comparable values")
conpar_add_run(all_nan_propagate ARGS --size 1 --plant-nan 0 ${quick}
               STDOUT "nan +0 +yes")

# Bad input: exit 2, one line on stderr naming the flag and value, nothing on stdout,
# also when several ranks see the same mistake.
function(conpar_bad name regex)
  conpar_add_run(bad.${name} ARGS ${ARGN} EXIT 2 NO_STDOUT STDERR_LINES 1
                 STDERR "^conpar: .*${regex}" TIMEOUT 30 LABELS cli)
endfunction()
conpar_bad(unknown_flag "unknown option '--frobnicate'" --frobnicate)
conpar_bad(missing_value "'--size' needs a value" --size)
conpar_bad(size_zero "--size '0'" --size 0)
conpar_bad(size_negative "--size '-10'" --size -10)
conpar_bad(size_text "--size 'big'" --size big)
conpar_bad(size_overflow "--size '1e30'" --size 1e30)
conpar_bad(size_too_big "--size 1000000000000: needs [0-9.]+ TB .* on node .* -c distributed needs"
           --size 1T)
conpar_bad(size_bytes_overflow "need more than 2\\^63 bytes" --size 2e18)
conpar_bad(strategy_unknown "unknown strategy 'fast' \\(valid: ${conpar_cpu_valid}\\)"
           --cpu-strategies fast)
conpar_bad(strategy_empty "empty strategy name" --cpu-strategies=)
conpar_bad(threads_zero "--threads '0'" --threads 0)
conpar_bad(chunks_zero "--chunks '0'" --chunks 0)
conpar_bad(repeat_zero "--repeat '0'" --repeat 0)
conpar_bad(plant_past_end "--plant-max 10: index must be below --size 10" --size 10 --plant-max 10)
conpar_bad(nan_policy "--nan 'ignore'" --nan ignore)
conpar_bad(json_no_dir "--json '/nonexistent/dir/r.json': cannot create" --json /nonexistent/dir/r.json)
conpar_bad(json_is_dir "--json '/tmp': is a directory" --json /tmp)
conpar_add_run(bad.ranks ARGS --size 0 RANKS 2 4 EXIT 2 NO_STDOUT CONPAR_LINES 1
               STDERR "^conpar: --size '0'" TIMEOUT 60)
conpar_add_run(bad.ranks_memory ARGS --size 1T RANKS 3 EXIT 2 NO_STDOUT CONPAR_LINES 1
               STDERR "^conpar: --size 1000000000000: needs" TIMEOUT 60)
conpar_bad(mpi_max_count "--mpi-max-count '0'" --mpi-max-count 0)
conpar_bad(emulate_nodes "--emulate-nodes 'x'" --emulate-nodes x)

# Launch mistakes: every copy sees one rank while a launcher started several (exit 2, the remedy).
# conpar_bad_launch(<name> "<stderr regex>" <VAR=VALUE>...)
function(conpar_bad_launch name regex)
  add_test(NAME bad.${name}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/expect.sh --exit 2 --no-stdout --stderr-lines 1
                   --stderr "^conpar: ${regex}" -- env ${ARGN} $<TARGET_FILE:conpar> --size 1M)
  set_tests_properties(bad.${name} PROPERTIES LABELS run TIMEOUT 30)
  conpar_test_env(bad.${name})
endfunction()
# srun without PMI
conpar_bad_launch(srun_without_pmi
                  "srun started 4 tasks but MPI sees only 1 rank in each: .*srun --mpi=pmix"
                  SLURM_PROCID=2 SLURM_STEP_NUM_TASKS=4)
# another MPI's launcher (hydra's PMI_SIZE)
conpar_bad_launch(foreign_launcher
                  "a launcher started 3 copies \\(PMI_SIZE=3\\) but MPI sees only 1 rank in each: .*Open MPI's mpirun"
                  PMI_SIZE=3 PMI_RANK=1)

# the bad-input matrix: 67 wrong invocations across every subcommand (tests/cli/bad-input.txt)
add_test(NAME bad.matrix COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/matrix.sh
                                 $<TARGET_FILE:conpar> ${MPIEXEC_EXECUTABLE})
# alone on the machine: the 5 s limit per invocation is about conpar, not a busy neighbour
set_tests_properties(bad.matrix PROPERTIES LABELS run TIMEOUT 300 PROCESSORS 2)
conpar_test_env(bad.matrix)
