/*
 * Times libxgboost's own C API (Debian libxgboost-dev) on one thread, same protocol as bench_compiled.c.
 *
 *   OMP_NUM_THREADS=1 bench_capi MODEL_JSON ROWS_10000_F32 NUM_FEATURE OUT_DIR [B1_CALLS] [REPS_10K]
 *
 * Two paths, booster parameter nthread=1:
 *   capi_dense:   XGBoosterPredictFromDense (in-place prediction from a dense array_interface, no DMatrix)
 *   capi_dmatrix: XGDMatrixCreateFromMat_omp(nthread=1) + XGBoosterPredictFromDMatrix + XGDMatrixFree per call
 * Writes OUT_DIR/<path>.pred, .margin and .pred1 (float32) and prints one RESULT line per path.
 *
 * Build: gcc -O2 -o bench_capi bench_capi.c -lxgboost
 */
#include "bench_common.h"
#include <math.h>
#include <xgboost/c_api.h>

#define CHECK(call)                                                                         \
    do {                                                                                    \
        if ((call) != 0) {                                                                  \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, XGBGetLastError()); \
            exit(1);                                                                        \
        }                                                                                   \
    } while (0)

static BoosterHandle booster;
static int nf;
static const char* CFG_VALUE =
    "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false,"
    " \"missing\": NaN, \"cache_id\": 0}";
static const char* CFG_MARGIN =
    "{\"type\": 1, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false,"
    " \"missing\": NaN, \"cache_id\": 0}";

/* Each predictor writes nrow outputs (single-output models) into out. */
static void predict_dense(const float* x, long nrow, int margin, float* out) {
    char iface[256];
    snprintf(iface, sizeof iface,
             "{\"data\": [%lu, true], \"shape\": [%ld, %d], \"typestr\": \"<f4\", \"version\": 3}",
             (unsigned long)(uintptr_t)x, nrow, nf);
    const bst_ulong* shape;
    bst_ulong dim;
    const float* res;
    CHECK(XGBoosterPredictFromDense(booster, iface, margin ? CFG_MARGIN : CFG_VALUE, NULL, &shape, &dim, &res));
    memcpy(out, res, sizeof(float) * (size_t)nrow);
}

static void predict_dmatrix(const float* x, long nrow, int margin, float* out) {
    DMatrixHandle m;
    CHECK(XGDMatrixCreateFromMat_omp(x, (bst_ulong)nrow, (bst_ulong)nf, NAN, &m, 1));
    const bst_ulong* shape;
    bst_ulong dim;
    const float* res;
    CHECK(XGBoosterPredictFromDMatrix(booster, m, margin ? CFG_MARGIN : CFG_VALUE, &shape, &dim, &res));
    memcpy(out, res, sizeof(float) * (size_t)nrow);
    CHECK(XGDMatrixFree(m));
}

static void run(const char* name, void (*predict)(const float*, long, int, float*), const float* x, long nrow,
                const char* out_dir, int b1, int reps) {
    char path[4096];
    float* out = malloc(sizeof(float) * (size_t)nrow);
    predict(x, nrow, 1, out);
    snprintf(path, sizeof path, "%s/%s.margin", out_dir, name);
    write_f32(path, out, nrow);
    predict(x, nrow, 0, out);
    snprintf(path, sizeof path, "%s/%s.pred", out_dir, name);
    write_f32(path, out, nrow);

    float* out1 = malloc(sizeof(float) * (size_t)b1);
    double *w1 = malloc(sizeof(double) * b1), *c1 = malloc(sizeof(double) * b1);
    double *wk = malloc(sizeof(double) * reps), *ck = malloc(sizeof(double) * reps);
    for (int i = 0; i < WARM1; i++) predict(x + (i % nrow) * nf, 1, 0, out1);
    for (int i = 0; i < b1; i++) {
        const float* row = x + (i % nrow) * nf;
        double c0 = cpu_s(), t0 = now_s();
        predict(row, 1, 0, out1 + i);
        double t1 = now_s(), cc = cpu_s();
        w1[i] = t1 - t0;
        c1[i] = cc - c0;
    }
    snprintf(path, sizeof path, "%s/%s.pred1", out_dir, name);
    write_f32(path, out1, b1);

    for (int i = 0; i < WARM10K; i++) predict(x, nrow, 0, out);
    for (int i = 0; i < reps; i++) {
        double c0 = cpu_s(), t0 = now_s();
        predict(x, nrow, 0, out);
        double t1 = now_s(), cc = cpu_s();
        wk[i] = t1 - t0;
        ck[i] = cc - c0;
    }
    print_result(name, w1, c1, b1, wk, ck, reps, nrow);
    free(out); free(out1); free(w1); free(c1); free(wk); free(ck);
}

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s MODEL_JSON ROWS_F32 NUM_FEATURE OUT_DIR [B1_CALLS] [REPS_10K]\n", argv[0]);
        return 2;
    }
    nf = atoi(argv[3]);
    int b1 = argc > 5 ? atoi(argv[5]) : 10000;
    int reps = argc > 6 ? atoi(argv[6]) : 30;
    int major, minor, patch;
    XGBoostVersion(&major, &minor, &patch);
    fprintf(stderr, "capi: libxgboost %d.%d.%d\n", major, minor, patch);
    CHECK(XGBoosterCreate(NULL, 0, &booster));
    CHECK(XGBoosterLoadModel(booster, argv[1]));
    CHECK(XGBoosterSetParam(booster, "nthread", "1"));
    bst_ulong nfeat;
    CHECK(XGBoosterGetNumFeature(booster, &nfeat));
    if ((int)nfeat != nf) { fprintf(stderr, "model has %lu features, not %d\n", (unsigned long)nfeat, nf); return 1; }

    long count;
    float* x = read_f32(argv[2], &count);
    long nrow = count / nf;
    run("capi_dense", predict_dense, x, nrow, argv[4], b1, reps);
    run("capi_dmatrix", predict_dmatrix, x, nrow, argv[4], b1, reps);
    CHECK(XGBoosterFree(booster));
    return 0;
}
