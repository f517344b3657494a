/*
 * Times a Sagebrush-compiled XGBoost predictor (compiled.so, exported neo_* C ABI) on one thread.
 *
 *   bench_compiled COMPILED_SO ROWS_10000_F32 OUT_DIR [B1_CALLS] [REPS_10K]
 *
 * Writes OUT_DIR/compiled.pred (transformed, 10,000 rows, one batch), OUT_DIR/compiled.margin (output_margin=1),
 * OUT_DIR/compiled.pred1 (transformed, from the batch-1 calls over the first B1_CALLS rows) and prints a RESULT line
 * (see bench_common.h for the protocol).
 *
 * Build: gcc -O2 -o bench_compiled bench_compiled.c -ldl
 */
#include "bench_common.h"
#include <dlfcn.h>

typedef void (*predict_fn)(const float*, int64_t, int32_t, float*);
typedef int32_t (*int_fn)(void);
typedef const char* (*str_fn)(void);

static void* sym(void* h, const char* name) {
    void* p = dlsym(h, name);
    if (!p) { fprintf(stderr, "dlsym %s: %s\n", name, dlerror()); exit(1); }
    return p;
}

int main(int argc, char** argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s COMPILED_SO ROWS_F32 OUT_DIR [B1_CALLS] [REPS_10K]\n", argv[0]); return 2; }
    int b1 = argc > 4 ? atoi(argv[4]) : 10000;
    int reps = argc > 5 ? atoi(argv[5]) : 30;
    void* h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
    predict_fn predict = (predict_fn)sym(h, "neo_predict");
    int nf = ((int_fn)sym(h, "neo_num_feature"))();
    int no = ((int_fn)sym(h, "neo_num_output"))();
    fprintf(stderr, "compiled: metadata %s\n", ((str_fn)sym(h, "neo_metadata"))());

    long count;
    float* x = read_f32(argv[2], &count);
    long nrow = count / nf;
    float* out = malloc(sizeof(float) * (size_t)nrow * no);
    char path[4096];

    /* Outputs for the comparison. */
    predict(x, nrow, 1, out);
    snprintf(path, sizeof path, "%s/compiled.margin", argv[3]);
    write_f32(path, out, nrow * no);
    predict(x, nrow, 0, out);
    snprintf(path, sizeof path, "%s/compiled.pred", argv[3]);
    write_f32(path, out, nrow * no);

    /* Batch 1. */
    float* out1 = malloc(sizeof(float) * (size_t)b1 * no);
    double *w1 = malloc(sizeof(double) * b1), *c1 = malloc(sizeof(double) * b1);
    double *wk = malloc(sizeof(double) * reps), *ck = malloc(sizeof(double) * reps);
    for (int i = 0; i < WARM1; i++) predict(x + (i % nrow) * nf, 1, 0, out1);
    for (int i = 0; i < b1; i++) {
        const float* row = x + (i % nrow) * nf;
        double c0 = cpu_s(), t0 = now_s();
        predict(row, 1, 0, out1 + (long)i * no);
        double t1 = now_s(), cc = cpu_s();
        w1[i] = t1 - t0;
        c1[i] = cc - c0;
    }
    snprintf(path, sizeof path, "%s/compiled.pred1", argv[3]);
    write_f32(path, out1, (long)b1 * no);

    /* Batch 10,000. */
    for (int i = 0; i < WARM10K; i++) predict(x, nrow, 0, out);
    for (int i = 0; i < reps; i++) {
        double c0 = cpu_s(), t0 = now_s();
        predict(x, nrow, 0, out);
        double t1 = now_s(), cc = cpu_s();
        wk[i] = t1 - t0;
        ck[i] = cc - c0;
    }
    print_result("compiled", w1, c1, b1, wk, ck, reps, nrow);
    return 0;
}
