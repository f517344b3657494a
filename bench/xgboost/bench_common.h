/* Shared helpers for the XGBoost benchmark drivers (bench_compiled.c, bench_capi.c). Not part of Sagebrush. */
#ifndef SAGEBRUSH_BENCH_COMMON_H
#define SAGEBRUSH_BENCH_COMMON_H
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU time of this process (all threads): robust against other processes competing for the cores. */
static inline double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

/* Sorts v in place and returns the q-quantile (0.5 = median). */
static inline double quantile(double* v, int n, double q) {
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    int i = (int)(q * (n - 1) + 0.5);
    return v[i];
}

static inline float* read_f32(const char* path, long* count) {
    FILE* f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    float* v = malloc((size_t)bytes);
    if (!v || fread(v, 1, (size_t)bytes, f) != (size_t)bytes) { fprintf(stderr, "read %s failed\n", path); exit(1); }
    fclose(f);
    *count = bytes / (long)sizeof(float);
    return v;
}

static inline void write_f32(const char* path, const float* v, long n) {
    FILE* f = fopen(path, "wb");
    if (!f || fwrite(v, sizeof(float), (size_t)n, f) != (size_t)n) { perror(path); exit(1); }
    fclose(f);
}

/*
 * The measurement protocol, identical in every driver (bench_python.py does the same in Python):
 *  - batch 1: B1 calls with nrow = 1, on rows 0, 1, 2, ... of the 10,000-row matrix (distinct rows, cycled), each
 *    call timed alone; report the median (and p90) per-call latency. 200 untimed warm-up calls first.
 *  - batch 10,000: REPS calls on the whole matrix, each timed; report the median, rows/s = 10,000 / median.
 *    2 untimed warm-up calls first.
 * Every call is timed twice: wall clock (CLOCK_MONOTONIC) and process CPU time (CLOCK_PROCESS_CPUTIME_ID). On a
 * shared, loaded host the CPU-time figures are the stable ones; wall clock includes time the process was waiting
 * for a core.
 * Output line (parsed by run.sh), all medians except p90:
 *   RESULT name=<n> batch1_us=<wall> batch1_p90_us=<wall> batch1_cpu_us=<cpu> batch10k_ms=<wall>
 *          batch10k_cpu_ms=<cpu> rows=<nrow>
 */
#define WARM1 200
#define WARM10K 2

static inline void print_result(const char* name, double* w1, double* c1, int b1, double* wk, double* ck, int reps,
                                long nrow) {
    double w1_med = quantile(w1, b1, 0.5), w1_p90 = quantile(w1, b1, 0.9), c1_med = quantile(c1, b1, 0.5);
    double wk_med = quantile(wk, reps, 0.5), ck_med = quantile(ck, reps, 0.5);
    printf("RESULT name=%s batch1_us=%.3f batch1_p90_us=%.3f batch1_cpu_us=%.3f batch10k_ms=%.3f "
           "batch10k_cpu_ms=%.3f rows=%ld\n", name, w1_med * 1e6, w1_p90 * 1e6, c1_med * 1e6, wk_med * 1e3,
           ck_med * 1e3, nrow);
    fflush(stdout);
}

#endif
