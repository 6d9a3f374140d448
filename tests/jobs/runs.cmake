# The Slurm job scripts: bash -n and shellcheck (the real-Slurm tier is tests/slurm/).
file(GLOB conpar_jobs ${PROJECT_SOURCE_DIR}/jobs/*.sbatch)
find_program(CONPAR_SHELLCHECK shellcheck REQUIRED)
add_test(NAME jobs.lint
         COMMAND bash -c "for f in \"$@\"; do bash -n \"$f\" || exit 1; done; \
\"${CONPAR_SHELLCHECK}\" -s bash \"$@\""
                 lint ${conpar_jobs})
set_tests_properties(jobs.lint PROPERTIES LABELS "jobs" TIMEOUT 60)
