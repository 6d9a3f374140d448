# The emulated cluster (label `cluster`): 4 fake hosts in network namespaces, the user's literal
# `mpirun -np 8 --hostfile hosts conpar ...` run on the head host, configured by OMPI_MCA_* only
# (tests/cluster/run.sh). Skipped (77) when not root or namespaces are unavailable.
set(cluster_dir ${CMAKE_CURRENT_SOURCE_DIR}/cluster)
add_test(NAME cluster.up COMMAND bash ${cluster_dir}/cluster.sh up)
add_test(NAME cluster.down COMMAND bash ${cluster_dir}/cluster.sh down)
set_tests_properties(cluster.up PROPERTIES FIXTURES_SETUP cluster LABELS cluster TIMEOUT 60
                     SKIP_RETURN_CODE 77 RESOURCE_LOCK cluster)
set_tests_properties(cluster.down PROPERTIES FIXTURES_CLEANUP cluster LABELS cluster TIMEOUT 60
                     RESOURCE_LOCK cluster)

# conpar_cluster(<name> "<json checks>" <conpar arguments>...)
function(conpar_cluster name checks)
  set(json ${CMAKE_CURRENT_BINARY_DIR}/out/cluster.${name}.json)
  add_test(NAME cluster.${name}
           COMMAND bash ${cluster_dir}/run.sh $<TARGET_FILE:check_json> ${json} "${checks}" --
                   mpirun -np 8 --hostfile @HOSTS@ $<TARGET_FILE:conpar> ${ARGN} --json ${json})
  set_tests_properties(cluster.${name} PROPERTIES FIXTURES_REQUIRED cluster LABELS cluster
                       TIMEOUT 150 PROCESSORS 2 SKIP_RETURN_CODE 77 RESOURCE_LOCK cluster
                       ENVIRONMENT "CONPAR_CHECK_JSON=$<TARGET_FILE:check_json>")
endfunction()

# scatter, window and distributed on 4 hosts x 2 ranks: one window per host, the known answer
conpar_cluster(cpu "ranks=8 hosts=4 nodes=4 index=346368 value=0x1.fffffa6ccbd2bp-1 strategies=4"
               --phase cpu -c seq,scatter,window,distributed --size 1M --warmup 0 --repeat 1)
# the IO ranks strategy over 4 hosts: the embedded server on rank 0's address, every request
# answered once
conpar_cluster(io_ranks "ranks=8 hosts=4 io_ok=40 io_per_rank=40 io_bound=1"
               --phase io --io-strategies ranks --requests 40 --delay 50ms)

# a rank killed mid-run: mpirun ends non-zero within 20 s, nothing left on any host
add_test(NAME cluster.kill_rank COMMAND bash ${cluster_dir}/kill.sh $<TARGET_FILE:conpar>)
set_tests_properties(cluster.kill_rank PROPERTIES FIXTURES_REQUIRED cluster LABELS cluster
                     TIMEOUT 150 PROCESSORS 2 SKIP_RETURN_CODE 77 RESOURCE_LOCK cluster)
