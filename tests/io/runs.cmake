# The IO phase against a real server on loopback (the embedded one, or `conpar serve`), never a
# mock: every strategy's answers checked, lower bounds that physics guarantees, faults counted
# by class. No upper bound on time. Included from tests/CMakeLists.txt.

set(io --phase io --delay 100ms)

# 10 requests, 10 workers: every strategy gets 10 answers; seq takes >= 10 x D, the others >= D
conpar_add_run(io.talk ARGS ${io} --requests 10
               STDOUT "seq +requests.get in a loop" "threads +ThreadPoolExecutor"
                      "async +asyncio" "ranks +\\(beyond the talk\\)"
               JSON_CHECK "io_strategies=${conpar_nio} io_ok=10 io_bound=1 server_peak_max=10" LABELS io)
# 20 requests on 10 workers cannot finish in one delay: >= 2 x D, never more than 10 in service
conpar_add_run(io.twenty ARGS ${io} --requests 20 --io-strategies threads,async,ranks
               JSON_CHECK "io_ok=20 io_bound=1 server_peak_max=10 server_peak_min=10"
               LABELS io)
# the client throttles itself: 4 at a time, so >= ceil(12 / 4) x D
conpar_add_run(io.throttle ARGS ${io} --requests 12 --concurrency 4 --io-strategies threads,async
               JSON_CHECK "io_ok=12 io_bound=1 server_peak_max=4" LABELS io)
# the ranks strategy on 1-4 ranks: all requests answered, counted once over the ranks
conpar_add_run(io.ranks ARGS ${io} --requests 23 --io-strategies ranks RANKS 1 2 3 4
               JSON_CHECK "io_ok=23 io_per_rank=23 io_bound=1" LABELS io)
conpar_add_run(io.ranks_throttle ARGS ${io} --requests 9 --concurrency 2 --io-strategies ranks
               RANKS 3 JSON_CHECK "io_ok=9 io_per_rank=9 io_bound=1 server_peak_max=2"
               LABELS io)
# no worker limit: 2,000 slow requests in flight at once, held by timers, not threads
conpar_add_run(io.no_limit ARGS --phase io --delay 2s --requests 2000 --server-workers 0
                                --io-strategies async
               JSON_CHECK "io_ok=2000 io_bound=1 server_peak_min=2000" TIMEOUT 120 LABELS io)

# Faults: counted by class, the report still written, exit 1, no hang.
function(conpar_io_fault name lines regex checks)
  conpar_add_run(io.fault.${name} ARGS ${ARGN} EXIT 1 CONPAR_LINES ${lines}
                 STDERR "^conpar: .*${regex}" JSON_CHECK "${checks}" LABELS io TIMEOUT 60)
endfunction()
conpar_io_fault(dead_server 1 "6 of 6 requests to http://127.0.0.1:1/ failed \\(connect 6\\)"
                "io_failed=connect:3 io_ok=0" --phase io --url http://127.0.0.1:1/ --requests 3
                --io-strategies seq,async)
# many pool threads meet the closed port at once: one line, every failure counted by class
conpar_io_fault(dead_server_threads 1
                "64 of 64 requests to http://127.0.0.1:1/ failed \\(connect 64\\)"
                "io_failed=connect:64 io_ok=0" --phase io --url http://127.0.0.1:1/ --requests 64
                --concurrency 32 --io-strategies threads)
conpar_io_fault(status 1 "\\(status 6\\)" "io_failed=status:2 io_ok=4"
                ${io} --requests 6 --fail-every 3 --io-strategies seq,threads,async)
conpar_io_fault(body 1 "\\(body 8\\)" "io_failed=body:4"
                ${io} --requests 4 --expect-body "Goodbye" --io-strategies async,ranks)
# (and a warning that the timeout is shorter than the ideal time: two lines)
conpar_io_fault(timeout 2 "\\(timeout 3\\)" "io_failed=timeout:3"
                --phase io --delay 2s --timeout 200ms --requests 3 --io-strategies async)
conpar_io_fault(reset 1 "\\(reset 2\\)" "io_failed=reset:2 io_ok=4"
                ${io} --requests 6 --reset-every 3 --io-strategies threads)
# the embedded server dies (--die-after): after it, new connections are refused and requests in
# flight are cut; the report is still written
conpar_io_fault(server_dies 1 "\\(connect 6\\)" "io_failed=connect:6 io_ok=4"
                ${io} --requests 10 --die-after 4 --io-strategies seq)
conpar_io_fault(server_dies_no_delay 1 "\\(connect 6\\)" "io_failed=connect:6 io_ok=4"
                --phase io --delay 0 --requests 10 --die-after 4 --io-strategies seq)
conpar_io_fault(server_dies_in_flight 1 "\\(reset 6\\)" "io_failed=reset:6 io_ok=4"
                ${io} --requests 10 --die-after 4 --io-strategies async)
conpar_add_run(io.fault.server_dies_ranks ARGS ${io} --requests 12 --die-after 5
                                               --io-strategies ranks
               RANKS 3 EXIT 1 CONPAR_LINES 2 STDERR "7 of 12 requests .* failed"
               JSON_CHECK "io_ok=5 io_per_rank=12" LABELS io TIMEOUT 60)
# a separate `conpar serve` killed with SIGKILL in the middle of the phase
add_test(NAME io.fault.server_killed
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/io/killed.sh $<TARGET_FILE:conpar>
                 $<TARGET_FILE:check_json> ${CMAKE_CURRENT_BINARY_DIR}/out/io.fault.server_killed.json)
set_tests_properties(io.fault.server_killed PROPERTIES LABELS "io;run" TIMEOUT 60)
conpar_test_env(io.fault.server_killed)
conpar_add_run(io.fault.ranks_dead ARGS --phase io --url http://127.0.0.1:1/ --requests 5
                                        --io-strategies ranks
               RANKS 2 EXIT 1 CONPAR_LINES 1 STDERR "failed \\(connect 5\\)"
               JSON_CHECK "io_failed=connect:5 io_per_rank=5" LABELS io TIMEOUT 60)

# Bad input: exit 2, one line.
function(conpar_io_bad name regex)
  conpar_add_run(io.bad.${name} ARGS ${ARGN} EXIT 2 NO_STDOUT STDERR_LINES 1
                 STDERR "^conpar: .*${regex}" LABELS io TIMEOUT 30)
endfunction()
conpar_io_bad(url_scheme "--url 'ftp://x/': the scheme must be http or https" --url ftp://x/)
conpar_io_bad(url_text "--url 'not a url': not a URL" --url "not a url")
conpar_io_bad(delay_negative "--delay '-1': not a duration" --delay -1)
conpar_io_bad(delay_unit "--delay '5parsecs': not a duration" --delay 5parsecs)
conpar_io_bad(requests_zero "--requests '0'" --requests 0)
conpar_io_bad(concurrency_zero "--concurrency '0'" --concurrency 0)
conpar_io_bad(timeout_zero "--timeout '0'" --timeout 0)
conpar_io_bad(io_strategy "unknown strategy 'gevent' \\(valid: ${conpar_io_valid}\\)"
              --io-strategies gevent)
conpar_io_bad(serve_port "--port '99999'" serve --port 99999)
conpar_io_bad(serve_option "--requests is not an option of 'conpar serve'" serve --requests 3)
conpar_io_bad(run_option "--workers is not an option of 'conpar'" --workers 3)
conpar_add_run(io.bad.serve_mpirun ARGS serve RANKS 2 EXIT 2 NO_STDOUT CONPAR_LINES 1
               STDERR "conpar serve runs as one process" LABELS io TIMEOUT 30)

# `conpar serve` alone: W workers never exceeded, queueing beyond, clean shutdown on SIGTERM
# with its counters; a second server on the same port is refused.
add_test(NAME io.serve
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/io/serve.sh $<TARGET_FILE:conpar>
                 $<TARGET_FILE:check_json> ${CMAKE_CURRENT_BINARY_DIR}/out/io.serve.json)
set_tests_properties(io.serve PROPERTIES LABELS "run;io" TIMEOUT 60 PROCESSORS 2)
conpar_test_env(io.serve)
