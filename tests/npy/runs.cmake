# --input FILE.npy: every dtype and byte order, Fortran order, N-d shapes, ties, NaN, +-inf,
# integers that compare exactly only as integers; every strategy on 1-4 ranks against the
# answer numpy gives. Included from tests/CMakeLists.txt.

add_executable(make_npy make_npy.c)
target_link_libraries(make_npy PRIVATE conpar_warnings m)

set(npy_dir ${CMAKE_CURRENT_BINARY_DIR}/out/npy)
add_test(NAME npy.files
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/npy/files.sh ${npy_dir} $<TARGET_FILE:make_npy>
                 $<TARGET_FILE:conpar> ${MPIEXEC_EXECUTABLE} ${CONPAR_MPIEXEC_PREFLAGS})
set_tests_properties(npy.files PROPERTIES FIXTURES_SETUP npy_files LABELS "run;npy" TIMEOUT 60
                     PROCESSORS 2)
conpar_test_env(npy.files)

set(quick --phase cpu --warmup 0 --repeat 1)

# conpar_npy(<file> <checks> [extra conpar args...]): every strategy on a singleton and 1-4 ranks
function(conpar_npy file checks)
  conpar_add_run(npy.${file} ARGS --input ${npy_dir}/${file}.npy ${quick} ${ARGN}
                 RANKS singleton 1 2 3 4 JSON_CHECK "strategies=${conpar_ncpu} ${checks}"
                 FIXTURE npy_files LABELS npy)
endfunction()

conpar_npy(f8_ties "index=1 value=7 dtype=float64")
conpar_npy(f8_be_inf "index=2 value=inf")
conpar_npy(f8_neginf "index=0 value=-inf")
conpar_npy(f8_zeros "index=0 value=0")
conpar_npy(f8_v2 "index=1 value=9")
conpar_npy(f8_v3 "index=1 value=9")
conpar_npy(f8_scalar "index=0 value=7")
conpar_npy(f4_nan "index=1 value=nan nan_count=2 dtype=float32")
conpar_add_run(npy.f4_nan_skip ARGS --input ${npy_dir}/f4_nan.npy --nan skip ${quick}
               RANKS 1 3 JSON_CHECK "index=2 value=3 nan_count=2" FIXTURE npy_files LABELS npy)
conpar_npy(f4_be_3d "index=6 value=6.5")
# Fortran order: numpy's index is the first maximum in C order, not in file order
conpar_npy(f2_be_F "index=3 value=nan dtype=float16")
conpar_npy(f2_F_skip "index=2 value=65504")
conpar_npy(i4_be_F "index=3 value_text=9 dtype=int32")
conpar_npy(u4_F "index=1 value_text=4294967295 dtype=uint32")
# 2^62 and 2^62 + 1 are one double: only an exact integer comparison finds index 2
conpar_npy(i8_exact "index=2 value_text=4611686018427387905 dtype=int64")
conpar_npy(i8_be_exact "index=2 value_text=4611686018427387905")
conpar_npy(i8_min "index=2 value_text=-9223372036854775807")
conpar_npy(u8_max "index=1 value_text=18446744073709551615 dtype=uint64")
conpar_npy(u8_be "index=2 value_text=18446744073709551615")
conpar_npy(i2_neg "index=1 value_text=-1 dtype=int16")
conpar_npy(u2_be "index=0 value_text=65535 dtype=uint16")
conpar_npy(i1 "index=1 value_text=127 dtype=int8")
conpar_npy(u1 "index=1 value_text=255 dtype=uint8")
conpar_npy(b1 "index=2 value_text=true dtype=bool")
conpar_npy(b1_false "index=0 value_text=false")
foreach(d f2 f4 f8 i2 i4 i8 u2 u4 u8)
  foreach(order le be)
    conpar_add_run(npy.order_${order}_${d} ARGS --input ${npy_dir}/order_${order}_${d}.npy ${quick}
                   RANKS 1 2 3 4 JSON_CHECK "strategies=${conpar_ncpu} index=1 value=5" FIXTURE npy_files
                   LABELS npy)
  endforeach()
endforeach()
conpar_npy(order_native_f8 "index=1 value=5")
# conpar's writer round trip: the file holds the generated array, so the known answer holds
conpar_npy(gen_f8 "index=346368 value=0x1.fffffa6ccbd2bp-1")
conpar_npy(gen_f4 "dtype=float32")
conpar_add_run(npy.shown ARGS --input ${npy_dir}/f2_be_F.npy -c seq ${quick}
               STDOUT "float16 \\('>f2'\\), shape \\(2, 3\\), Fortran order"
                      "reference +nan at index 3 = \\(1, 0\\)"
               FIXTURE npy_files LABELS npy)

# Bad files: exit 2, one line naming the file and the problem, identical on every rank.
function(conpar_npy_bad name file regex)
  conpar_add_run(npy.bad.${name} ARGS --input ${file} ${quick} ${ARGN}
                 RANKS singleton 3 EXIT 2 NO_STDOUT CONPAR_LINES 1
                 STDERR "^conpar: .*${regex}" FIXTURE npy_files LABELS npy TIMEOUT 60)
endfunction()
conpar_npy_bad(missing ${npy_dir}/nope.npy "nope.npy: cannot open: No such file")
conpar_npy_bad(directory ${npy_dir} "npy: cannot read: Is a directory")
conpar_npy_bad(not_npy ${npy_dir}/notnpy.npy "notnpy.npy: not an .npy file")
conpar_npy_bad(version ${npy_dir}/version.npy "unsupported .npy version 5.0")
conpar_npy_bad(complex ${npy_dir}/complex.npy "dtype '<c8' \\(complex\\) is not supported")
conpar_npy_bad(truncated ${npy_dir}/trunc.npy "trunc.npy: truncated data")
conpar_npy_bad(too_long ${npy_dir}/long.npy "long.npy: file size does not match the header")
conpar_npy_bad(zero_size ${npy_dir}/zero.npy "zero-size array: no maximum")
conpar_npy_bad(with_size ${npy_dir}/f8_ties.npy "the file sets the values, so --size" --size 5)
conpar_add_run(npy.bad.all_nan_skip ARGS --input ${npy_dir}/f8_allnan.npy --nan skip ${quick}
               RANKS 2 EXIT 1 NO_STDOUT CONPAR_LINES 1 STDERR "^conpar: no comparable values"
               FIXTURE npy_files LABELS npy)
conpar_add_run(npy.bad.generate_no_out ARGS generate --size 10 EXIT 2 NO_STDOUT STDERR_LINES 1
               STDERR "^conpar: conpar generate needs --out" LABELS npy)
conpar_add_run(npy.bad.generate_dtype ARGS generate --size 10 --dtype int8 --out x.npy EXIT 2
               NO_STDOUT STDERR_LINES 1 STDERR "--dtype 'int8': must be 'float64' or 'float32'"
               LABELS npy)
conpar_add_run(npy.bad.generate_dir ARGS generate --size 10 --out /nonexistent/x.npy RANKS 2
               EXIT 2 NO_STDOUT CONPAR_LINES 1 STDERR "^conpar: --out '/nonexistent/x.npy'"
               LABELS npy TIMEOUT 60)
