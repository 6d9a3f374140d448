#!/bin/bash
# files.sh DIR MAKE_NPY CONPAR MPIEXEC...: the .npy files of the npy tests, made once (a ctest
# fixture). Hand-made files come from make_npy (independent of conpar's writer); conpar's own
# writer makes the generated ones, as 3 ranks writing collectively.
set -euo pipefail
dir=$1 make=$2 conpar=$3
shift 3
rm -rf "$dir"
mkdir -p "$dir"
m() { "$make" "$dir/$1.npy" "${@:2}"; }

# name        descr  shape  order version values (C order)
m f8_ties     '<f8'  4      C 1  3 7 7 1
m f8_be_inf   '>f8'  4      C 1  1.5 -inf inf 2
m f8_neginf   '<f8'  2      C 1  -inf -inf
m f8_zeros    '<f8'  3      C 1  -0.0 0.0 -1
m f8_v2       '<f8'  3      C 2  1 9 2
m f8_v3       '<f8'  3      C 3  1 9 9
m f8_scalar   '<f8'  ''     C 1  7
m f4_nan      '<f4'  4      C 1  1 nan 3 nan
m f4_be_3d    '>f4'  2,2,2  C 1  0 1 2 3 4 5 6.5 6.5
m f2_be_F     '>f2'  2,3    F 1  1.5 -inf 65504 nan 0.25 65504
m f2_F_skip   '>f2'  2,3    F 1  1.5 -inf 65504 -2 0.25 65504
m i8_exact    '<i8'  5      C 1  4611686018427387904 5 4611686018427387905 4611686018427387905 -3
m i8_be_exact '>i8'  5      C 1  4611686018427387904 5 4611686018427387905 4611686018427387905 -3
m i8_min      '<i8'  3      C 1  -9223372036854775808 -9223372036854775808 -9223372036854775807
m u8_max      '<u8'  4      C 1  1 18446744073709551615 9223372036854775808 18446744073709551615
m u8_be       '>u8'  3      C 1  18446744073709551614 3 18446744073709551615
m i4_be_F     '>i4'  2,3,4  F 1  0 0 0 9 0 0 0 0 0 0 0 0 9 0 0 0 0 0 0 0 0 0 0 0
m i2_neg      '<i2'  3      C 1  -5 -1 -7
m u2_be       '>u2'  3      C 1  65535 1 65535
m i1          '|i1'  4      C 1  -128 127 -1 127
m u1          '|u1'  4      C 1  3 255 0 255
m u4_F        '<u4'  2,2    F 2  1 4294967295 4294967295 2
m b1          '|b1'  5      C 1  0 0 1 1 0
m b1_false    '|b1'  2      C 1  0 0
m f8_allnan   '<f8'  2      C 1  nan nan
# every multi-byte dtype in both byte orders (and '=' native): the max 5 first at index 1
for d in f2 f4 f8 i2 i4 i8 u2 u4 u8; do
  m "order_le_$d" "<$d" 4 C 1 1 5 3 5
  m "order_be_$d" ">$d" 4 C 1 1 5 3 5
done
m order_native_f8 '=f8' 4 C 1 1 5 3 5
# bad files
m zero        '<f8'  0      C 1
m complex     '<c8'  1      C 1  0
m trunc       '<f8'  4      C 1  1 2 3 4
truncate -s -8 "$dir/trunc.npy"
m long        '<f8'  2      C 1  1 2
printf 'xxxxxxxx' >>"$dir/long.npy"
m version     '<f8'  1      C 1  1
printf '\x05' | dd of="$dir/version.npy" bs=1 seek=6 conv=notrunc status=none
printf 'not numpy at all\n' >"$dir/notnpy.npy"
# conpar's own writer, 3 ranks: the generated known answer, float64 and float32
"$@" -np 3 "$conpar" generate --size 1M --seed 42 --out "$dir/gen_f8.npy" >/dev/null
"$@" -np 3 "$conpar" generate --size 100003 --seed 5 --dtype float32 --out "$dir/gen_f4.npy" >/dev/null
echo "files.sh: made $(find "$dir" -mindepth 1 -maxdepth 1 | wc -l) files in $dir"
