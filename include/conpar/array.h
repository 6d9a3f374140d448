/* Memory for the float64 array: a memory check before allocating, and an allocation
 * aligned for SIMD loads and transparent huge pages (fewer page faults on first touch). */
#ifndef CONPAR_ARRAY_H
#define CONPAR_ARRAY_H

#include <stdint.h>

#include "conpar/status.h"

/* Bytes of memory available for a new allocation on this node (MemAvailable), or -1 when
 * the kernel does not say. Local. */
int64_t cp_mem_available(void);

/* Check that `count` doubles fit in the available memory. `what` names the request in the
 * message ("--size 10T"). Returns CP_OK or CP_ERR_NOMEM with the bytes needed and
 * available. Local. */
enum cp_status cp_array_check(int64_t count, const char *what);

/* Allocate `count` doubles (count >= 0), untouched. *out is freed with cp_array_free.
 * CP_ERR_NOMEM when the allocation fails. Local. */
enum cp_status cp_array_alloc(int64_t count, double **out);

void cp_array_free(double *data);

/* Set every byte of x[0..n) to `byte`, `chunks` blocks (cp_block_of) handed to `threads` OpenMP
 * threads with the static schedule the scans use: the pages are first touched by the threads
 * that will read them. Local. */
void cp_array_touch(double *x, int64_t n, int64_t chunks, int threads, int byte);

/* The directory Open MPI's shared-memory windows live in: OMPI_MCA_osc_sm_backing_directory,
 * else /dev/shm. Local. */
const char *cp_shm_directory(void);

/* Human size of `bytes` ("2.40 GB", decimal units) into buf. Returns buf. */
const char *cp_format_bytes(double bytes, char *buf, int size);

#endif
