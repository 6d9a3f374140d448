# A real Slurm (label `slurm`): munged, slurmctld and one slurmd per fake host (snode1, snode2, each
# in its own network, hostname and mount namespaces). Every job script of jobs/ is submitted
# unchanged with tiny sizes through its environment, waited for, and its results checked.
# Skipped (77) when not root, without the Slurm packages or without namespaces.
set(slurm_dir ${CMAKE_CURRENT_SOURCE_DIR}/slurm)
# every fake host has a private /tmp, so the Slurm directory must be outside it
set(slurm_base ${CMAKE_BINARY_DIR}/slurm)
if(slurm_base MATCHES "^/tmp/")
  set(slurm_base /var/tmp/conpar-slurm)
endif()
add_test(NAME slurm.up COMMAND bash ${slurm_dir}/slurm.sh up ${slurm_base} $<TARGET_FILE:conpar>
                               ${PROJECT_SOURCE_DIR})
add_test(NAME slurm.down COMMAND bash ${slurm_dir}/slurm.sh down ${slurm_base})
set_tests_properties(slurm.up PROPERTIES FIXTURES_SETUP slurm LABELS slurm TIMEOUT 60
                     SKIP_RETURN_CODE 77 RESOURCE_LOCK slurm)
set_tests_properties(slurm.down PROPERTIES FIXTURES_CLEANUP slurm LABELS slurm TIMEOUT 60
                     RESOURCE_LOCK slurm)

set(slurm_tiny "CONPAR_ARGS=--size 1M --requests 8 --delay 20ms --warmup 0 --repeat 1")
# conpar_slurm_job(<script> <nodes> "<json checks>" [VAR=VALUE...])
function(conpar_slurm_job script nodes checks)
  add_test(NAME slurm.${script}
           COMMAND bash ${slurm_dir}/job.sh ${slurm_base} $<TARGET_FILE:check_json>
                   ${PROJECT_SOURCE_DIR}/jobs/${script}.sbatch ${nodes} "${checks}" ${ARGN})
  set_tests_properties(slurm.${script} PROPERTIES FIXTURES_REQUIRED slurm LABELS slurm
                       TIMEOUT 300 PROCESSORS 2 SKIP_RETURN_CODE 77 RESOURCE_LOCK slurm
                       ENVIRONMENT "${CONPAR_TEST_ENV}")
endfunction()

# the known answer of --size 1M everywhere; 16 OpenMP threads in one task; 8 ranks sharing one
# node window; 2 hosts x 2 ranks; the IO ranks strategy over both hosts; strong and weak points
conpar_slurm_job(openmp-single-node 1 "ranks=1 hosts=1 threads=16 index=346368" "${slurm_tiny}")
conpar_slurm_job(window-single-node 1 "ranks=8 hosts=1 nodes=1 index=346368" "${slurm_tiny}")
conpar_slurm_job(hybrid 2 "ranks=4 hosts=2 nodes=2 index=346368 io_ok=8" "${slurm_tiny}")
conpar_slurm_job(io 2 "ranks=4 hosts=2 io_ok=8 io_per_rank=8" "${slurm_tiny}")
conpar_slurm_job(scaling 2 "strategies=1" SIZE=1M SHARE=250K
                 "CONPAR_ARGS=--warmup 0 --repeat 1")

# a rank killed mid-job: FAILED within 20 s, nothing left on either node
add_test(NAME slurm.kill_rank COMMAND bash ${slurm_dir}/kill.sh ${slurm_base}
                                      ${PROJECT_SOURCE_DIR}/jobs/hybrid.sbatch)
set_tests_properties(slurm.kill_rank PROPERTIES FIXTURES_REQUIRED slurm LABELS slurm TIMEOUT 150
                     PROCESSORS 2 SKIP_RETURN_CODE 77 RESOURCE_LOCK slurm
                     ENVIRONMENT "${CONPAR_TEST_ENV}")

# the time limit: --signal=TERM@30 reaches conpar, which keeps its partial JSON
add_test(NAME slurm.time_limit
         COMMAND bash ${slurm_dir}/time_limit.sh ${slurm_base} $<TARGET_FILE:check_json>
                 ${PROJECT_SOURCE_DIR}/jobs/openmp-single-node.sbatch)
set_tests_properties(slurm.time_limit PROPERTIES FIXTURES_REQUIRED slurm LABELS slurm TIMEOUT 180
                     PROCESSORS 2 SKIP_RETURN_CODE 77 RESOURCE_LOCK slurm
                     ENVIRONMENT "${CONPAR_TEST_ENV}")
