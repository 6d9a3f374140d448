/* CPU use of this host, per core, between two samples of /proc/stat (what htop shows), and
 * the CPU time of this process. Local. */
#ifndef CONPAR_USAGE_H
#define CONPAR_USAGE_H

#define CP_USAGE_MAX_CORES 256

struct cp_usage_sample {
    int ncores;
    unsigned long long busy[CP_USAGE_MAX_CORES], total[CP_USAGE_MAX_CORES];
    double process_cpu; /* user + system seconds of this process, all threads */
};

/* Take a sample (ncores 0 when /proc/stat cannot be read). */
void cp_usage_sample(struct cp_usage_sample *s);

/* Percent busy per core between a and b into percent[0..*ncores). */
void cp_usage_between(const struct cp_usage_sample *a, const struct cp_usage_sample *b,
                      double *percent, int *ncores);

#endif
