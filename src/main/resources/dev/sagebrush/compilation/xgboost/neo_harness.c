/* Verification harness for a Sagebrush-compiled XGBoost model, built with the same (cross) toolchain as the
 * model and run natively or under qemu-user.
 *
 *   neo_harness <model.so> <rows.f32> <margin_out.f32> <pred_out.f32>
 *
 * rows.f32 is little-endian float32, row-major, neo_num_feature() columns, NaN = missing. Both outputs receive
 * nrow x neo_num_output() raw float32 (the transformed call may leave columns unused, e.g. multi:softmax). The
 * model is loaded with dlopen, so this also proves the .so loads on the target and exports the ABI by name. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int32_t (*count_fn)(void);
typedef const char* (*meta_fn)(void);
typedef void (*predict_fn)(const float*, int64_t, int32_t, float*);

static void* sym(void* h, const char* name) {
  void* p = dlsym(h, name);
  if (!p) { fprintf(stderr, "missing symbol %s: %s\n", name, dlerror()); exit(3); }
  return p;
}

static int write_all(const char* path, const float* v, size_t n) {
  FILE* f = fopen(path, "wb");
  if (!f) { perror(path); return 0; }
  size_t w = fwrite(v, sizeof(float), n, f);
  return fclose(f) == 0 && w == n;
}

int main(int argc, char** argv) {
  if (argc != 5) { fprintf(stderr, "usage: %s model.so rows.f32 margin.f32 pred.f32\n", argv[0]); return 2; }
  void* h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 3; }
  count_fn num_feature = (count_fn)sym(h, "neo_num_feature");
  count_fn num_output = (count_fn)sym(h, "neo_num_output");
  meta_fn metadata = (meta_fn)sym(h, "neo_metadata");
  predict_fn predict = (predict_fn)sym(h, "neo_predict");
  const int32_t nf = num_feature(), no = num_output();

  FILE* in = fopen(argv[2], "rb");
  if (!in) { perror(argv[2]); return 4; }
  fseek(in, 0, SEEK_END);
  long size = ftell(in);
  fseek(in, 0, SEEK_SET);
  if (nf <= 0 || no <= 0 || size < 0 || size % ((long)sizeof(float) * nf) != 0) {
    fprintf(stderr, "input size %ld is not a multiple of %d features\n", size, nf);
    return 4;
  }
  const int64_t nrow = size / ((long)sizeof(float) * nf);
  float* x = malloc((size_t)size + 1);
  float* out = malloc(sizeof(float) * (size_t)(nrow * no + 1));
  if (!x || !out || fread(x, 1, (size_t)size, in) != (size_t)size) { fprintf(stderr, "read failed\n"); return 4; }
  fclose(in);

  memset(out, 0, sizeof(float) * (size_t)(nrow * no));
  predict(x, nrow, 1, out);
  if (!write_all(argv[3], out, (size_t)(nrow * no))) return 5;
  memset(out, 0, sizeof(float) * (size_t)(nrow * no));
  predict(x, nrow, 0, out);
  if (!write_all(argv[4], out, (size_t)(nrow * no))) return 5;
  printf("num_feature=%d num_output=%d nrow=%lld\nmetadata=%s\n", nf, no, (long long)nrow, metadata());
  return 0;
}
