# The process pool (src/pool.c) for real, from a singleton: tests/pool_probe.c starts pools,
# checks what the strategies need on the merged communicator, and the scripts here kill,
# starve and interrupt them. Every script also checks that no process of its run (pool
# processes, Open MPI's orted) is alive 10 s after the end, finding them by a tag in their
# environment, so tests running in parallel never see each other's processes.
# Included from tests/CMakeLists.txt.

add_executable(pool_probe pool_probe.c)
target_compile_definitions(pool_probe PRIVATE _GNU_SOURCE)
target_link_libraries(pool_probe PRIVATE conpar_lib m)
# every library conpar loads, so a pool process starts and weighs what conpar's will
target_link_options(pool_probe PRIVATE -Wl,--no-as-needed)

set(pool_dir ${CMAKE_CURRENT_SOURCE_DIR}/pool)
set(pool_probe $<TARGET_FILE:pool_probe>)

# conpar_pool_test(<name> <script> <args>...): one test, label pool, 2 CPUs, 120 s.
# In the asan tree LeakSanitizer stays off (address and UB checks stay on): its tracer
# crashes with SIGSEGV now and then in spawned Open MPI processes on this machine ("Tracer
# caught signal 11"), and a pool process ending non-zero is a failure here.
function(conpar_pool_test name script)
  add_test(NAME pool.${name} COMMAND bash ${pool_dir}/${script} ${ARGN})
  set_tests_properties(pool.${name} PROPERTIES LABELS pool TIMEOUT 120 PROCESSORS 2
                       SKIP_RETURN_CODE 77
                       ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=string_append::detect_leaks=0")
  conpar_test_env(pool.${name})
endfunction()

# What the strategies need, over the merged communicator of a pool of 1 (none), 2 and 3.
foreach(p 1 2 3)
  conpar_pool_test(check.p${p} run.sh 0 100
    "^pool: spawned [01] processes ${p} "
    "^ok: allreduce over ${p} processes" "^ok: cp_comm_split_nodes" "^ok: MPI_Get_processor_name"
    "^ok: affinity" "^ok: shared window: ${p} processes" "^ok: MPI_Scatterv"
    "^ok: cp_maxloc_reduce" "^ok: MPI-IO"
    -- ${pool_probe} check ${p} --dir ${CMAKE_CURRENT_BINARY_DIR}/out)
endforeach()

# While the parent computes alone, the pool sleeps in cp_comm_idle_barrier; the same wait in
# MPI_Barrier (which polls) must fail the same measurement, so it can fail.
conpar_pool_test(idle run.sh 0 100 "^ok: the pool waits without spinning"
  -- ${pool_probe} idle 3 2)
conpar_pool_test(idle_spin_is_seen run.sh 1 100 "^FAIL: a pool process used CPU while waiting"
  -- ${pool_probe} idle 3 2 spin)

# SIGKILL of the parent: while the pool waits in a collective, sleeps, computes, or while
# MPI_Comm_spawn runs. SIGKILL of a pool process: the parent ends with exit 1 and one line.
foreach(where barrier idle compute start)
  conpar_pool_test(kill_parent.${where} kill.sh ${pool_probe} 3 ${where} parent)
endforeach()
foreach(where barrier idle)
  conpar_pool_test(kill_child.${where} kill.sh ${pool_probe} 3 ${where} child)
endforeach()

# SIGTERM and SIGINT of the parent: the pool follows through cp_stop_check and all stop.
foreach(sig TERM INT)
  conpar_pool_test(signal.${sig} term.sh ${pool_probe} 3 ${sig})
endforeach()

# MPI_Abort on the merged communicator (cp_comm_agree's last resort): from the parent it ends
# both jobs with its code; from a pool process it ends the pool's job only, and the parent's
# watch ends the parent (exit 1, one line).
conpar_pool_test(abort.parent run.sh 3 60 "^ready" -- ${pool_probe} abort 3 parent)
conpar_pool_test(abort.child run.sh 1 60
  "^conpar: process pool: pool process rank 2 \\(pid [0-9]+\\) ended during the run"
  -- ${pool_probe} abort 3 child)

# A run that reaches MPI_Finalize without cp_pool_stop still ends, and leaves nothing.
conpar_pool_test(nostop run.sh 0 60 "^finalizing without cp_pool_stop"
  -- ${pool_probe} nostop 3)

# Pools that cannot start: exit 2 with the reason, quickly, and nothing left.
conpar_pool_test(fail.missing_binary run.sh 2 10 "^conpar: process pool: cannot run /nonexistent"
  -- ${pool_probe} fail 3 --exe /nonexistent/conpar)
conpar_pool_test(fail.died_before_joining run.sh 2 10
  "^conpar: process pool: a pool process ended before joining"
  -- ${pool_probe} fail 3 --exe /bin/false)
conpar_pool_test(fail.never_joins run.sh 2 20
  "^conpar: process pool: 2 pool processes did not join within 3 s"
  -- ${pool_probe} fail 3 --exe ${pool_dir}/never_joins.sh --timeout 3)
conpar_pool_test(fail.nproc nproc.sh ${pool_probe})
# Open MPI refuses: a singleton without its orted cannot spawn; without the TCP BTL the
# parent and the pool (two jobs: vader joins one job only) cannot reach each other
conpar_pool_test(fail.spawn_disabled run.sh 2 10
  "^conpar: process pool: Open MPI did not start the pool processes"
  -- ${pool_probe} fail 3)
conpar_test_env(pool.fail.spawn_disabled OMPI_MCA_ess_singleton_isolated=1)
conpar_pool_test(fail.unreachable run.sh 2 20
  "^conpar: process pool: MPI_Comm_spawn failed .*no transport between them"
  -- ${pool_probe} fail 3)
conpar_test_env(pool.fail.unreachable OMPI_MCA_btl=self,vader)

# Launched or not: a singleton is not, every rank under mpiexec is (so --processes is refused).
conpar_pool_test(launched.singleton run.sh 0 30 "^rank 0: launched 0 world 1"
  -- ${pool_probe} launched 3)
conpar_pool_test(launched.np2 run.sh 0 60 "^rank 0: launched 1 world 2" "^rank 1: launched 1 world 2"
  "--processes 3: a launcher started this run"
  -- ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 ${CONPAR_MPIEXEC_PREFLAGS}
     ${pool_probe} ${MPIEXEC_POSTFLAGS} launched 3)
