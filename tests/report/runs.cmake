# The report: the default run, CSV, checkpoints and interruption. Included from
# tests/CMakeLists.txt.

add_executable(check_csv check_csv.c)
target_link_libraries(check_csv PRIVATE conpar_warnings)

# `conpar` with no arguments: both phases on the laptop defaults, exit 0
math(EXPR conpar_nio_default "2 * ${conpar_nio}") # 10 and 20 requests
conpar_add_run(report.default ARGS JSON_CHECK "strategies=${conpar_ncpu} io_strategies=${conpar_nio_default}" TIMEOUT 120
               STDOUT "^Lessons \\(CPU\\):" "^Lessons \\(IO\\):" LABELS report)

# --csv: one row per strategy of both phases, RFC 4180
set(csv ${CMAKE_CURRENT_BINARY_DIR}/out/report.csv.csv)
math(EXPR conpar_csv_rows "${conpar_ncpu} + ${conpar_nio}")
add_test(NAME report.csv
         COMMAND bash -c "\"$0\" --size 1M --warmup 0 --repeat 1 --requests 3 --delay 10ms \
--csv \"$1\" >/dev/null && \"$2\" \"$1\" ${conpar_csv_rows} phase strategy seconds.median ok failed.connect \
latency_seconds.p50"
                 $<TARGET_FILE:conpar> ${csv} $<TARGET_FILE:check_csv>)
set_tests_properties(report.csv PROPERTIES LABELS "run;report" TIMEOUT 60 PROCESSORS 2)
conpar_test_env(report.csv)

# SIGTERM (a Slurm time limit) and SIGINT mid-run: what was measured stays, marked incomplete
foreach(sig TERM INT)
  if(sig STREQUAL TERM)
    set(code 143)
  else()
    set(code 130)
  endif()
  set(json ${CMAKE_CURRENT_BINARY_DIR}/out/report.interrupt.${sig}.json)
  add_test(NAME report.interrupt.${sig}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report/interrupt.sh ${sig} ${code}
                   $<TARGET_FILE:check_json> ${json}
                   $<TARGET_FILE:conpar> --size 10M --repeat 1000 --requests 50 --delay 1s
                   --json ${json})
  set_tests_properties(report.interrupt.${sig} PROPERTIES LABELS "run;report" TIMEOUT 90
                       PROCESSORS 2)
  conpar_test_env(report.interrupt.${sig})
endforeach()
conpar_bad(csv_is_dir "--csv '/tmp': is a directory" --csv /tmp)

# Progress on a terminal (`script` gives the run one), none with --quiet or into a pipe
add_test(NAME report.progress
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report/progress.sh $<TARGET_FILE:conpar>)
set_tests_properties(report.progress PROPERTIES LABELS "run;report" TIMEOUT 60 PROCESSORS 2)
conpar_test_env(report.progress)

# tools/chart.sh turns a run's JSON into PNG charts with gnuplot
set(chart_json ${CMAKE_CURRENT_BINARY_DIR}/out/report.chart.json)
add_test(NAME report.chart
         COMMAND bash -c "\"$0\" --size 1M --warmup 0 --repeat 1 --requests 3,6 --delay 10ms \
--json \"$1\" >/dev/null && rm -rf \"$1.d\" && bash \"$2\" \"$1.d\" \"$1\" \"$1\" >/dev/null && \
for p in cpu io; do head -c 8 \"$1.d/$p.png\" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' \
|| { echo \"no PNG: $p\"; exit 1; }; done"
                 $<TARGET_FILE:conpar> ${chart_json} ${PROJECT_SOURCE_DIR}/tools/chart.sh)
set_tests_properties(report.chart PROPERTIES LABELS "run;report" TIMEOUT 60 PROCESSORS 2)
conpar_test_env(report.chart)

# conpar doctor: every check printed; a dead --url fails it (exit 1)
conpar_add_run(report.doctor ARGS doctor RANKS singleton 2
               STDOUT "^ok +mpi +" "^ok +threads" "^ok +shm" "^ok +memory" "^ok +open files"
                      "^ok +server +embedded server http://127.0.0.1:[0-9]+/ answered 200"
                      "^conpar doctor: all set" LABELS report TIMEOUT 60)
conpar_add_run(report.doctor_dead_url ARGS doctor --url http://127.0.0.1:1/ EXIT 1
               STDOUT "^FAIL +server +--url http://127.0.0.1:1/: Couldn't connect"
                      "^conpar doctor: something failed" LABELS report TIMEOUT 60)

# --sweep: the scaling table and the points in the JSON (and a chart of them)
conpar_add_run(report.sweep_threads ARGS --sweep threads=1,2 --size 1M --warmup 0 --repeat 1
                                         -c simd,threads,distributed
               STDOUT "^Scaling over threads: 1 2" "^threads +[0-9.]+ 1.00x 1.00"
               JSON_CHECK "sweep_points=6" LABELS report)
conpar_add_run(report.sweep_concurrency ARGS --sweep concurrency=1,5 --requests 10 --delay 20ms
                                             --io-strategies async,threads
               STDOUT "^Scaling over concurrency: 1 5" "^async R=10 +"
               JSON_CHECK "sweep_points=4" LABELS report)
conpar_add_run(report.sweep_ranks ARGS --sweep threads=1,2 --size 100003 --warmup 0 --repeat 1
                                       -c threads,scatter RANKS 2
               JSON_CHECK "sweep_points=4" LABELS report)
conpar_add_run(report.sweep_intensity ARGS --sweep intensity=1,4 --size 100003 --warmup 0
               --repeat 1 -c seq,simd STDOUT "^Roofline over intensity: 1 4" "GB/s"
               JSON_CHECK "sweep_points=4" LABELS report)
conpar_bad(sweep_key "--sweep 'chunks=1,2': must be threads=LIST, intensity=LIST or concurrency=LIST"
           --sweep chunks=1,2)

# the output on a full filesystem: a clear error, no truncated JSON left as complete
add_test(NAME report.full_fs COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report/full_fs.sh
                                     $<TARGET_FILE:conpar>)
set_tests_properties(report.full_fs PROPERTIES LABELS "run;report" TIMEOUT 60 SKIP_RETURN_CODE 77)
conpar_test_env(report.full_fs)
