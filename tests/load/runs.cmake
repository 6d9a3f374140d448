# The server under load (label `load`): wrk at 1,000 connections for 30 s, then idle
# connections; answers, memory, open files and the idle timeout checked (tests/load/load.sh).
foreach(case "0;10" "100ms;0")
  list(GET case 0 delay)
  list(GET case 1 workers)
  add_test(NAME load.delay_${delay}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/load/load.sh $<TARGET_FILE:conpar> ${delay}
                   ${workers} 30)
  set_tests_properties(load.delay_${delay} PROPERTIES LABELS load TIMEOUT 120 PROCESSORS 2
                       SKIP_RETURN_CODE 77)
endforeach()
