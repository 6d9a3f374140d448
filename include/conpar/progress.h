/* Progress of long stages on stderr: one line rewritten in place ("\r"), at most ten times a
 * second, only when stderr is a terminal, on rank 0, and without --quiet. Not thread-safe:
 * called from the main thread only. */
#ifndef CONPAR_PROGRESS_H
#define CONPAR_PROGRESS_H

/* Note whether a launcher started this process. Call before MPI_Init: a singleton's MPI_Init
 * sets the same variables a launcher does. */
void cp_progress_note_launcher(void);

/* 1 when fd is a terminal a person watches: not when a launcher (mpirun's pseudo-terminals,
 * srun) stands between conpar and the user, since its output usually ends up in a log. */
int cp_interactive(int fd);

/* Turn progress on or off (main: rank 0, stderr a terminal, no --quiet). */
void cp_progress_enable(int on);

/* Show a line such as "conpar: IO seq, 10 requests: 7/10" (printf format), replacing the
 * last one; rate-limited unless `force`. */
void cp_progress(int force, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* End the progress line (erase it) before other output. */
void cp_progress_clear(void);

#endif
