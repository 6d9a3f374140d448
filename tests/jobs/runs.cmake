# The Slurm job scripts and every test script: bash -n and shellcheck (the real-Slurm tier
# is tests/slurm/).
file(GLOB conpar_jobs ${PROJECT_SOURCE_DIR}/jobs/*.sbatch ${PROJECT_SOURCE_DIR}/tests/slurm/*.sh
     ${PROJECT_SOURCE_DIR}/tests/cluster/*.sh ${PROJECT_SOURCE_DIR}/tests/cluster/nsrsh
     ${PROJECT_SOURCE_DIR}/tests/load/*.sh ${PROJECT_SOURCE_DIR}/fuzz/run.sh
     ${PROJECT_SOURCE_DIR}/tests/io/*.sh ${PROJECT_SOURCE_DIR}/tests/report/*.sh
     ${PROJECT_SOURCE_DIR}/tests/mpi/*.sh ${PROJECT_SOURCE_DIR}/tests/cli/*.sh
     ${PROJECT_SOURCE_DIR}/tests/npy/*.sh ${PROJECT_SOURCE_DIR}/tests/lib.sh
     ${PROJECT_SOURCE_DIR}/tests/expect.sh)
find_program(CONPAR_SHELLCHECK shellcheck REQUIRED)
add_test(NAME jobs.lint
         COMMAND bash -c "for f in \"$@\"; do bash -n \"$f\" || exit 1; done; \
\"${CONPAR_SHELLCHECK}\" -s bash -x \"$@\""
                 lint ${conpar_jobs})
set_tests_properties(jobs.lint PROPERTIES LABELS "jobs" TIMEOUT 60)
