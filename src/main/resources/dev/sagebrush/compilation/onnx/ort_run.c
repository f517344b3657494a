/* Verification runner for a Sagebrush-compiled ONNX model (model.ort), built with the target's (cross) gcc and run
 * natively or under qemu-user, so the artifact is proven to load and run in the target's own ONNX Runtime build.
 *
 *   ort_run <libonnxruntime.so> <model.ort> <spec.txt>
 *
 * spec.txt (written by OrtNativeRunner):
 *   sets K
 *   inputs N            then per input:  <onnx elem type> <rank> <dims...> <data file>  and a line with the name
 *   outputs M           then per output: <onnx elem type> <rank> <dims...> <data file>  and a line with the name
 * Each input file holds K consecutive tensors (raw little-endian); each output file receives K.
 *
 * No ONNX Runtime header is needed: the library is dlopen'ed and the C API is used through the append-only OrtApi
 * function table by index (stable across releases for a given API version), so the runner builds with a bare
 * cross-gcc and the only ORT binary involved is the one from the onnxruntime jar. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const void* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); } ApiBase;
/* OrtApi indices (onnxruntime_c_api.h, unchanged since API 1). */
enum { GET_ERROR_MESSAGE = 2, CREATE_ENV = 3, CREATE_SESSION = 7, RUN = 9, CREATE_SESSION_OPTIONS = 10,
       SET_INTRA_OP_THREADS = 24, CREATE_TENSOR_WITH_DATA = 49, CREATE_CPU_MEMORY_INFO = 69 };
#define MAX_IO 64
#define MAX_RANK 16

static void** api;

static void check(void* status, const char* what) {
  if (status) {
    fprintf(stderr, "%s failed: %s\n", what, ((const char* (*)(void*))api[GET_ERROR_MESSAGE])(status));
    exit(10);
  }
}

static size_t elem_size(int t) {
  switch (t) {
    case 2: case 3: case 9: return 1;       /* uint8, int8, bool */
    case 4: case 5: case 10: return 2;      /* uint16, int16, float16 */
    case 1: case 6: case 12: return 4;      /* float, int32, uint32 */
    case 7: case 11: case 13: return 8;     /* int64, double, uint64 */
    default: fprintf(stderr, "unsupported element type %d\n", t); exit(4);
  }
}

typedef struct { char name[1024]; int type; size_t rank; int64_t dims[MAX_RANK]; char file[4096]; size_t bytes; char* data; } Io;

static int read_io(FILE* f, Io* io) {
  if (fscanf(f, "%d %zu", &io->type, &io->rank) != 2 || io->rank > MAX_RANK) return 0;
  size_t n = 1;
  for (size_t i = 0; i < io->rank; i++) {
    if (fscanf(f, "%ld", (long*)&io->dims[i]) != 1 || io->dims[i] < 0) return 0;
    n *= (size_t)io->dims[i];
  }
  if (fscanf(f, " %4095[^\n]", io->file) != 1 || fgetc(f) != '\n' || !fgets(io->name, sizeof io->name, f)) return 0;
  io->name[strcspn(io->name, "\n")] = 0;
  io->bytes = n * elem_size(io->type);
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s libonnxruntime.so model.ort spec.txt\n", argv[0]); return 2; }
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 3; }
  const ApiBase* (*get_base)(void) = (const ApiBase* (*)(void))dlsym(lib, "OrtGetApiBase");
  if (!get_base) { fprintf(stderr, "OrtGetApiBase missing: %s\n", dlerror()); return 3; }
  api = (void**)get_base()->GetApi(13);
  if (!api) { fprintf(stderr, "ONNX Runtime %s does not offer C API version 13\n", get_base()->GetVersionString()); return 3; }

  FILE* spec = fopen(argv[3], "r");
  if (!spec) { perror(argv[3]); return 4; }
  int sets = 0; size_t nin = 0, nout = 0;
  static Io in[MAX_IO], out[MAX_IO];
  if (fscanf(spec, "sets %d inputs %zu", &sets, &nin) != 2 || sets <= 0 || nin > MAX_IO) { fprintf(stderr, "bad spec header\n"); return 4; }
  for (size_t i = 0; i < nin; i++) if (!read_io(spec, &in[i])) { fprintf(stderr, "bad input %zu in spec\n", i); return 4; }
  if (fscanf(spec, " outputs %zu", &nout) != 1 || nout > MAX_IO) { fprintf(stderr, "bad outputs line\n"); return 4; }
  for (size_t i = 0; i < nout; i++) if (!read_io(spec, &out[i])) { fprintf(stderr, "bad output %zu in spec\n", i); return 4; }
  fclose(spec);
  for (size_t i = 0; i < nin; i++) {
    FILE* f = fopen(in[i].file, "rb");
    in[i].data = malloc(in[i].bytes * sets + 1);
    if (!f || !in[i].data || fread(in[i].data, 1, in[i].bytes * sets, f) != in[i].bytes * sets) {
      fprintf(stderr, "cannot read %zu bytes from %s\n", in[i].bytes * sets, in[i].file); return 4;
    }
    fclose(f);
  }
  for (size_t i = 0; i < nout; i++) out[i].data = calloc(1, out[i].bytes * sets + 1);

  void *env, *opts, *session, *mem;
  check(((void* (*)(int, const char*, void**))api[CREATE_ENV])(3 /* ERROR */, "ort_run", &env), "CreateEnv");
  check(((void* (*)(void**))api[CREATE_SESSION_OPTIONS])(&opts), "CreateSessionOptions");
  /* One thread: deterministic reductions, and qemu-user gains nothing from more. */
  check(((void* (*)(void*, int))api[SET_INTRA_OP_THREADS])(opts, 1), "SetIntraOpNumThreads");
  check(((void* (*)(void*, const char*, void*, void**))api[CREATE_SESSION])(env, argv[2], opts, &session), "CreateSession");
  check(((void* (*)(int, int, void**))api[CREATE_CPU_MEMORY_INFO])(0 /* device allocator */, 0 /* default */, &mem), "CreateCpuMemoryInfo");

  const char* in_names[MAX_IO]; const char* out_names[MAX_IO];
  for (size_t i = 0; i < nin; i++) in_names[i] = in[i].name;
  for (size_t i = 0; i < nout; i++) out_names[i] = out[i].name;
  typedef void* (*create_tensor_fn)(void*, void*, size_t, const int64_t*, size_t, int, void**);
  typedef void* (*run_fn)(void*, void*, const char* const*, void* const*, size_t, const char* const*, size_t, void**);
  for (int k = 0; k < sets; k++) {
    void* inv[MAX_IO]; void* outv[MAX_IO];
    for (size_t i = 0; i < nin; i++)
      check(((create_tensor_fn)api[CREATE_TENSOR_WITH_DATA])(mem, in[i].data + in[i].bytes * k, in[i].bytes,
            in[i].dims, in[i].rank, in[i].type, &inv[i]), "CreateTensorWithDataAsOrtValue(input)");
    /* Outputs are preallocated with the shapes the host reference produced: a shape mismatch is an error here. */
    for (size_t i = 0; i < nout; i++)
      check(((create_tensor_fn)api[CREATE_TENSOR_WITH_DATA])(mem, out[i].data + out[i].bytes * k, out[i].bytes,
            out[i].dims, out[i].rank, out[i].type, &outv[i]), "CreateTensorWithDataAsOrtValue(output)");
    check(((run_fn)api[RUN])(session, NULL, in_names, inv, nin, out_names, nout, outv), "Run");
  }
  for (size_t i = 0; i < nout; i++) {
    FILE* f = fopen(out[i].file, "wb");
    if (!f || fwrite(out[i].data, 1, out[i].bytes * sets, f) != out[i].bytes * sets || fclose(f) != 0) { perror(out[i].file); return 5; }
  }
  printf("ort_run: onnxruntime %s, %d sets, %zu inputs, %zu outputs\n", get_base()->GetVersionString(), sets, nin, nout);
  return 0;
}
