/* Loads a compiled tree model the way DLR does and runs it through the Treelite calling convention.
 * Built with the model's own (cross) toolchain and run natively or under qemu-user, before a job completes.
 *
 *   dlr_treelite_harness <model_dir> <rows.f32> <ncol> <margin_out.f32> <pred_out.f32>
 *
 * 1. Backend selection as DLR's GetBackend (src/dlr_common.cc): only the regular files at the top of model_dir
 *    count; a *.params (TVM) or *.ro (Relay VM) file, or a *_hexagon_model.so, means this is not a tree model;
 *    otherwise exactly one *.so (not libdlr.so) is the model library, and at most one *.meta and one *.json
 *    (model-shapes.json and hyperparams.json aside) may be present. compiled.meta, when present, must say
 *    TargetDeviceType cpu.
 * 2. The library is dlopen'ed and every symbol of BOTH Treelite generations is looked up by name, as the two runtime
 *    generations do: DLR 1.0-1.9 (treelite 0.9x: get_num_output_group, get_num_feature, predict[_multiclass]) and
 *    DLR 1.10+ (treelite 1.2: get_num_class, get_num_feature, get_pred_transform, get_sigmoid_alpha,
 *    get_global_bias, get_threshold_type == leaf_output_type == "float32", predict[_multiclass]).
 * 3. DLR's load-time probe: one call on an all-zero row with pred_margin = 0 gives the output width.
 * 4. Each row of rows.f32 (little-endian float32, row-major, ncol <= num_feature columns) becomes num_feature
 *    union Entry values, missing = -1 everywhere, fvalue set for every non-NaN value (DLR's dense to sparse step).
 *    pred_out receives the pred_margin = 0 result (what DLR returns: base score and transform applied inside the
 *    model), margin_out the pred_margin = 1 margins (num_class per row), for bit-exact comparison. */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64 /* 32-bit readdir/stat under qemu on a 64-bit filesystem fail with EOVERFLOW otherwise */
#include <dirent.h>
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

union Entry { int missing; float fvalue; int qvalue; };

typedef size_t (*size_fn)(void);
typedef const char* (*str_fn)(void);
typedef float (*float_fn)(void);
typedef float (*predict_fn)(union Entry*, int);
typedef size_t (*predict_multi_fn)(union Entry*, int, float*);

static void fail(int code, const char* fmt, const char* a, const char* b) {
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
  exit(code);
}

static int ends_with(const char* s, const char* suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void* sym(void* h, const char* name) {
  void* p = dlsym(h, name);
  if (!p) fail(3, "missing symbol %s (%s)", name, "the library does not export the Treelite ABI DLR looks up");
  return p;
}

/* DLR's backend choice and its one-file-per-extension rule; returns the model library's path. */
static char* select_treelite_library(const char* dir) {
  DIR* d = opendir(dir);
  if (!d) { perror(dir); exit(4); }
  static char lib[4096], meta[4096];
  int n_so = 0, n_meta = 0, n_json = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (stat(path, &st) != 0) { perror(path); exit(4); }
    if (!S_ISREG(st.st_mode)) continue; /* DLR lists files only; our manifest lives in a subfolder */
    const char* f = e->d_name;
    if (ends_with(f, ".params")) fail(5, "%s: a *.params file selects DLR's TVM backend, not Treelite (%s)", f, dir);
    if (ends_with(f, ".ro")) fail(5, "%s: a *.ro file selects DLR's Relay VM backend, not Treelite (%s)", f, dir);
    if (ends_with(f, "_hexagon_model.so")) fail(5, "%s: selects DLR's Hexagon backend (%s)", f, dir);
    if (ends_with(f, ".so") && strcmp(f, "libdlr.so") != 0) {
      if (++n_so > 1) fail(5, "Found multiple model lib files in %s (second: %s)", dir, f);
      snprintf(lib, sizeof lib, "%s", path);
    } else if (ends_with(f, ".meta")) {
      if (++n_meta > 1) fail(5, "Found multiple *.meta files in %s (second: %s)", dir, f);
      snprintf(meta, sizeof meta, "%s", path);
    } else if (ends_with(f, ".json") && strcmp(f, "model-shapes.json") != 0 && strcmp(f, "hyperparams.json") != 0) {
      if (++n_json > 1) fail(5, "Found multiple *.json files in %s (second: %s)", dir, f);
    }
  }
  closedir(d);
  if (n_so == 0) fail(5, "Unable to determine backend from path %s%s", dir, ": no model library");
  if (n_meta == 1) {
    FILE* m = fopen(meta, "rb");
    if (!m) { perror(meta); exit(4); }
    char buf[65536];
    size_t len = fread(buf, 1, sizeof buf - 1, m);
    buf[len] = 0;
    fclose(m);
    if (!strstr(buf, "\"TargetDeviceType\"") || !strstr(buf, "\"cpu\""))
      fail(5, "%s does not declare Requirements.TargetDeviceType \"cpu\"%s", meta, "");
  }
  return lib;
}

static int write_all(const char* path, const float* v, size_t n) {
  FILE* f = fopen(path, "wb");
  if (!f) { perror(path); return 0; }
  size_t w = fwrite(v, sizeof(float), n, f);
  return fclose(f) == 0 && w == n;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s model_dir rows.f32 ncol margin.f32 pred.f32\n", argv[0]);
    return 2;
  }
  const char* lib = select_treelite_library(argv[1]);
  void* h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!h) fail(3, "dlopen: %s%s", dlerror(), "");

  /* DLR 1.0-1.9 (treelite 0.9x runtime) */
  const size_t groups_v09 = ((size_fn)sym(h, "get_num_output_group"))();
  /* DLR 1.10+ (treelite 1.2 runtime) */
  const size_t num_class = ((size_fn)sym(h, "get_num_class"))();
  const size_t nf = ((size_fn)sym(h, "get_num_feature"))();
  const char* pred_transform = ((str_fn)sym(h, "get_pred_transform"))();
  const float sigmoid_alpha = ((float_fn)sym(h, "get_sigmoid_alpha"))();
  const float global_bias = ((float_fn)sym(h, "get_global_bias"))();
  const char* threshold_type = ((str_fn)sym(h, "get_threshold_type"))();
  const char* leaf_type = ((str_fn)sym(h, "get_leaf_output_type"))();
  if (strcmp(threshold_type, "float32") != 0) fail(6, "get_threshold_type() = %s, DLR needs %s", threshold_type, "float32");
  if (strcmp(leaf_type, "float32") != 0) fail(6, "get_leaf_output_type() = %s, DLR accepts only %s", leaf_type, "float32");
  if (nf == 0) fail(6, "get_num_feature() = 0%s%s", "", "");
  if (groups_v09 != num_class) fail(6, "get_num_output_group() and get_num_class() disagree%s%s", "", "");
  const size_t ng = num_class;
  predict_fn predict = ng == 1 ? (predict_fn)sym(h, "predict") : NULL;
  predict_multi_fn predict_multi = ng > 1 ? (predict_multi_fn)sym(h, "predict_multiclass") : NULL;

  const long ncol = atol(argv[3]);
  if (ncol <= 0 || (size_t)ncol > nf) fail(4, "ncol %s must be 1..num_feature%s", argv[3], "");
  union Entry* row = calloc(nf, sizeof(union Entry));
  float* tmp = calloc(ng, sizeof(float));
  if (!row || !tmp) return 4;

  /* DLR's probe: an all-zero row (missing == 0, fvalue == 0.0f) tells the output width. */
  size_t out_size = 1;
  if (ng > 1) out_size = predict_multi(row, 0, tmp);
  if (out_size == 0 || out_size > ng) fail(6, "predict_multiclass returned an output size outside 1..num_class%s%s", "", "");

  FILE* in = fopen(argv[2], "rb");
  if (!in) { perror(argv[2]); return 4; }
  fseek(in, 0, SEEK_END);
  long size = ftell(in);
  fseek(in, 0, SEEK_SET);
  if (size < 0 || size % ((long)sizeof(float) * ncol) != 0) fail(4, "input size is not a multiple of ncol%s%s", "", "");
  const long nrow = size / ((long)sizeof(float) * ncol);
  float* x = malloc((size_t)size + 1);
  float* margin = malloc(sizeof(float) * (size_t)(nrow * ng + 1));
  float* pred = malloc(sizeof(float) * (size_t)(nrow * out_size + 1));
  if (!x || !margin || !pred || fread(x, 1, (size_t)size, in) != (size_t)size) { fprintf(stderr, "read failed\n"); return 4; }
  fclose(in);

  for (long r = 0; r < nrow; r++) {
    for (size_t j = 0; j < nf; j++) row[j].missing = -1;
    for (long j = 0; j < ncol; j++) {
      const float v = x[r * ncol + j];
      if (!isnan(v)) row[j].fvalue = v;
    }
    if (ng == 1) {
      pred[r] = predict(row, 0);
      margin[r] = predict(row, 1);
    } else {
      if (predict_multi(row, 0, tmp) != out_size) fail(6, "predict_multiclass output size changed%s%s", "", "");
      memcpy(pred + r * out_size, tmp, sizeof(float) * out_size);
      if (predict_multi(row, 1, margin + r * ng) != ng) fail(6, "predict_multiclass(pred_margin=1) did not write num_class margins%s%s", "", "");
    }
  }
  if (!write_all(argv[4], margin, (size_t)(nrow * ng)) || !write_all(argv[5], pred, (size_t)(nrow * out_size))) return 5;
  printf("backend=treelite library=%s\nnum_feature=%zu num_class=%zu out_size=%zu nrow=%ld\n"
         "pred_transform=%s sigmoid_alpha=%g global_bias=%a threshold_type=%s leaf_output_type=%s\n",
         strrchr(lib, '/') + 1, nf, ng, out_size, nrow, pred_transform, sigmoid_alpha, global_bias,
         threshold_type, leaf_type);
  return 0;
}
