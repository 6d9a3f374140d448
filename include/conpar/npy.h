/* The .npy format: header parsing, collective reading with MPI-IO, and writing.
 *
 * A file holds a magic string, a version (1.0, 2.0 or 3.0), a header length, a Python dict
 * literal {'descr': ..., 'fortran_order': ..., 'shape': (...)} and the raw elements. conpar
 * reads every numeric dtype (float16/32/64, int8..64, uint8..64, bool) in any byte order and
 * holds each element in an 8-byte slot of one of two domains, so every strategy compares
 * exactly:
 *   - CP_DOMAIN_F64: floats, converted to double (exact for float16 and float32);
 *   - CP_DOMAIN_I64: integers and bool as int64 keys; uint64 is stored as x ^ 2^63, which
 *     keeps the order, and turned back when reported.
 * Positions are file order; cp_npy_c_index turns a position of a fortran_order file into
 * numpy's C-order index. */
#ifndef CONPAR_NPY_H
#define CONPAR_NPY_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "conpar/maxloc.h"
#include "conpar/status.h"

#define CP_NPY_MAX_DIMS 32
#define CP_NPY_MAX_HEADER 65536 /* header bytes conpar accepts (numpy writes < 4 KiB) */

enum cp_dtype_kind { CP_KIND_FLOAT, CP_KIND_INT, CP_KIND_UINT, CP_KIND_BOOL };

struct cp_npy {
    const char *path;
    int major, minor;    /* format version */
    int64_t data_offset; /* bytes before the first element */
    char descr[16];      /* the dtype as written, "<f8" */
    char dtype[16];      /* numpy's name, "float64" */
    enum cp_dtype_kind kind;
    int itemsize; /* bytes per element: 1, 2, 4 or 8 */
    int swap;     /* stored in the other byte order than this machine's */
    int fortran;  /* fortran_order: True */
    int ndim;
    int64_t shape[CP_NPY_MAX_DIMS];
    int64_t count; /* product of shape */
    enum cp_domain domain;
};

/* Parse the start of a file: `head` holds its first `len` bytes (all of them, or at least
 * 12 + CP_NPY_MAX_HEADER) and `file_size` is its size. Checks magic, version, header length,
 * the dict, the dtype, the shape and that the data fills the file exactly. Local and pure:
 * CP_OK, or CP_ERR_INPUT with a message naming `path` and the problem. */
enum cp_status cp_npy_parse(const char *path, const unsigned char *head, size_t len,
                            int64_t file_size, struct cp_npy *out);

/* Open and parse `path`: rank 0 reads the start of the file and its size and sends them to
 * every rank, so all parse the same bytes and agree. Collective over comm. */
enum cp_status cp_npy_open(const char *path, MPI_Comm comm, struct cp_npy *out);

/* Read elements [first, first + count) in file order into out[0..count) (8-byte slots of the
 * file's domain). Every rank of comm calls it (count may differ, also 0): the data is read
 * with MPI_File_read_at_all in pieces of at most 1 GiB, every rank making the same number of
 * calls; non-native dtypes go through a staging buffer and are converted on `threads` threads.
 * Collective over comm. */
enum cp_status cp_npy_read(const struct cp_npy *h, MPI_Comm comm, int64_t first, int64_t count,
                           int threads, void *out);

/* The same elements with pread, one thread, for the reference: no MPI-IO. Local. */
enum cp_status cp_npy_read_local(const struct cp_npy *h, int fd, int64_t first, int64_t count,
                                 void *out);

/* numpy's C-order flat index of file position `pos` (the identity unless fortran_order). */
int64_t cp_npy_c_index(const struct cp_npy *h, int64_t pos);

/* The N-dimensional index of C-order flat index `index` into idx[0..ndim) (numpy's
 * unravel_index); returns ndim. */
int cp_npy_unravel_index(const struct cp_npy *h, int64_t index, int64_t idx[CP_NPY_MAX_DIMS]);

/* The same as text, "(1, 2, 3)", into buf. */
void cp_npy_unravel(const struct cp_npy *h, int64_t index, char *buf, size_t size);

/* Write a .npy file of `size` generated values (seed) as float64 or float32 (itemsize 8 or 4,
 * each value rounded to nearest): rank 0 writes the header, every rank its block, with
 * collective MPI-IO in pieces of at most 1 GiB. Collective over comm. */
enum cp_status cp_npy_write_generated(const char *path, MPI_Comm comm, int64_t size, uint64_t seed,
                                      int itemsize, int threads);

#endif
