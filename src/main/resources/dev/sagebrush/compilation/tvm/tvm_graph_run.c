/* A minimal TVM graph executor for verifying a DLR graph-executor artifact on its target CPU (natively or under
 * qemu-user): no TVM runtime exists for ARM in any registry here, so this plays DLR's part. Built with the target's
 * (cross) gcc, it loads exactly the artifact's files as DLR does:
 *   compiled.so      dlopen'ed; the backend context pointers (__TVMAPISetLastError, __TVMBackendAllocWorkspace,
 *                    __TVMBackendParallelLaunch, ...) are filled in as TVM's library module does at load time, and
 *                    every operator is called by name through TVM's packed-function ABI
 *                    int32_t f(TVMValue* args, int* type_codes, int num_args, TVMValue* ret, int* ret_code, void*)
 *                    with DLTensor* arguments (type code kTVMDLTensorHandle), one thread;
 *   compiled.params  TVM's parameter blob (magic 0xF7E58D4F05049CB7, NDArrays 0xDD5E40F096B4A13F), parsed here;
 *   graph            compiled_model.json, flattened by the server into plan.txt (storage sizes, entries, inputs,
 *                    params, operator calls, outputs) so that this program needs no JSON parser.
 *
 *   tvm_graph_run <model_dir> <plan.txt> <out_prefix> <input0.bin> [input1.bin ...]
 * writes <out_prefix><k>.bin for every graph output (raw little-endian values). */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int32_t device_type, device_id; } DLDevice;
typedef struct { uint8_t code, bits; uint16_t lanes; } DLDataType;
typedef struct {
  void* data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;
  int64_t* strides;
  uint64_t byte_offset;
} DLTensor;
typedef union { int64_t v_int64; double v_float64; void* v_handle; const char* v_str; } TVMValue;
typedef int32_t (*packed_fn)(TVMValue*, int*, int, TVMValue*, int*, void*);
typedef struct { void* sync_handle; int32_t num_task; } TVMParallelGroupEnv;
typedef int (*parallel_lambda)(int task_id, TVMParallelGroupEnv* penv, void* cdata);
enum { kDLTensorHandle = 7, kDLCPU = 1 };

static char last_error[4096];

static void die(const char* what, const char* detail) {
  fprintf(stderr, "%s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(5);
}

/* The backend API a TVM operator library calls back into (TVM's c_backend_api.h), single-threaded. */
static void api_set_last_error(const char* msg) { snprintf(last_error, sizeof last_error, "%s", msg); }
static void* alloc_workspace(int device_type, int device_id, uint64_t nbytes, int code_hint, int bits_hint) {
  (void)device_type; (void)device_id; (void)code_hint; (void)bits_hint;
  void* p = NULL;
  return posix_memalign(&p, 64, nbytes ? (size_t)nbytes : 1) == 0 ? p : NULL;
}
static int free_workspace(int device_type, int device_id, void* ptr) {
  (void)device_type; (void)device_id;
  free(ptr);
  return 0;
}
static int parallel_launch(parallel_lambda f, void* cdata, int num_task) {
  (void)num_task;
  TVMParallelGroupEnv env = {NULL, 1};
  return f(0, &env, cdata);
}
static int parallel_barrier(int task_id, TVMParallelGroupEnv* penv) { (void)task_id; (void)penv; return 0; }
static int get_func_from_env(void* mod, const char* name, void** out) {
  (void)mod; (void)out;
  snprintf(last_error, sizeof last_error, "operator asked the runtime for packed function %s, which this verifier "
           "does not provide", name);
  return -1;
}
static int func_call(void* f, TVMValue* a, int* c, int n, TVMValue* r, int* rc) {
  (void)f; (void)a; (void)c; (void)n; (void)r; (void)rc;
  snprintf(last_error, sizeof last_error, "operator called TVMFuncCall, which this verifier does not provide");
  return -1;
}

static void set_ctx(void* lib, const char* name, void* fn) {
  void** slot = (void**)dlsym(lib, name);
  if (slot) *slot = fn;
}

static void* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) die("cannot open", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char* buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) die("cannot read", path);
  fclose(f);
  *size = (size_t)n;
  return buf;
}

typedef struct { int sid; DLTensor t; int64_t shape[8]; size_t bytes; } Entry;

int main(int argc, char** argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s model_dir plan.txt out_prefix inputs...\n", argv[0]); return 2; }
  char path[4096];
  snprintf(path, sizeof path, "%s/compiled.so", argv[1]);
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) die("dlopen", dlerror());
  set_ctx(lib, "__TVMAPISetLastError", (void*)api_set_last_error);
  set_ctx(lib, "__TVMBackendAllocWorkspace", (void*)alloc_workspace);
  set_ctx(lib, "__TVMBackendFreeWorkspace", (void*)free_workspace);
  set_ctx(lib, "__TVMBackendParallelLaunch", (void*)parallel_launch);
  set_ctx(lib, "__TVMBackendParallelBarrier", (void*)parallel_barrier);
  set_ctx(lib, "__TVMBackendGetFuncFromEnv", (void*)get_func_from_env);
  set_ctx(lib, "__TVMFuncCall", (void*)func_call);
  static int module_ctx;
  set_ctx(lib, "__tvm_module_ctx", &module_ctx);

  FILE* plan = fopen(argv[2], "r");
  if (!plan) die("cannot open", argv[2]);
  char word[512];
  int version, n;
  if (fscanf(plan, "%511s %d", word, &version) != 2 || strcmp(word, "TVMPLAN") != 0 || version != 1) die("bad plan", argv[2]);

  if (fscanf(plan, "%511s %d", word, &n) != 2 || strcmp(word, "storage") != 0) die("bad plan", "storage");
  int n_storage = n;
  void** storage = calloc((size_t)n_storage + 1, sizeof(void*));
  for (int i = 0; i < n_storage; i++) {
    long long bytes;
    if (fscanf(plan, "%lld", &bytes) != 1 || bytes < 0) die("bad plan", "storage size");
    if (posix_memalign(&storage[i], 64, (size_t)bytes + 64) != 0) die("out of memory", NULL);
    memset(storage[i], 0, (size_t)bytes + 64);
  }

  if (fscanf(plan, "%511s %d", word, &n) != 2 || strcmp(word, "entries") != 0) die("bad plan", "entries");
  int n_entries = n;
  Entry* e = calloc((size_t)n_entries + 1, sizeof(Entry));
  for (int i = 0; i < n_entries; i++) {
    int code, bits, lanes, ndim;
    if (fscanf(plan, "%d %d %d %d %d", &e[i].sid, &code, &bits, &lanes, &ndim) != 5 || ndim < 0 || ndim > 8
        || e[i].sid < 0 || e[i].sid >= n_storage) die("bad plan", "entry");
    size_t count = 1;
    for (int d = 0; d < ndim; d++) {
      long long v;
      if (fscanf(plan, "%lld", &v) != 1 || v < 0) die("bad plan", "shape");
      e[i].shape[d] = v;
      count *= (size_t)v;
    }
    e[i].bytes = count * (size_t)((bits * lanes + 7) / 8);
    e[i].t.data = storage[e[i].sid];
    e[i].t.device.device_type = kDLCPU;
    e[i].t.ndim = ndim;
    e[i].t.dtype.code = (uint8_t)code;
    e[i].t.dtype.bits = (uint8_t)bits;
    e[i].t.dtype.lanes = (uint16_t)lanes;
    e[i].t.shape = e[i].shape;
  }

  /* graph inputs, fed from the files on the command line in this order */
  if (fscanf(plan, "%511s %d", word, &n) != 2 || strcmp(word, "inputs") != 0) die("bad plan", "inputs");
  if (argc != 4 + n) die("wrong number of input files for the graph's inputs", NULL);
  for (int i = 0; i < n; i++) {
    int eid;
    if (fscanf(plan, "%d %511s", &eid, word) != 2 || eid < 0 || eid >= n_entries) die("bad plan", "input");
    size_t size;
    void* data = read_file(argv[4 + i], &size);
    if (size != e[eid].bytes) die("input file size does not match the graph's input shape", word);
    memcpy(e[eid].t.data, data, size);
    free(data);
  }

  /* params: name -> entry from the plan, values from compiled.params */
  if (fscanf(plan, "%511s %d", word, &n) != 2 || strcmp(word, "params") != 0) die("bad plan", "params");
  int n_params = n;
  int* param_eid = calloc((size_t)n_params + 1, sizeof(int));
  char** param_name = calloc((size_t)n_params + 1, sizeof(char*));
  for (int i = 0; i < n_params; i++) {
    if (fscanf(plan, "%d %511s", &param_eid[i], word) != 2 || param_eid[i] < 0 || param_eid[i] >= n_entries)
      die("bad plan", "param");
    param_name[i] = strdup(word);
  }
  snprintf(path, sizeof path, "%s/compiled.params", argv[1]);
  size_t psize;
  uint8_t* blob = read_file(path, &psize);
  size_t off = 0;
#define TAKE(dst, nbytes) do { if (off + (nbytes) > psize) die("truncated", "compiled.params"); \
    memcpy((dst), blob + off, (nbytes)); off += (nbytes); } while (0)
  uint64_t magic, reserved, count;
  TAKE(&magic, 8);
  TAKE(&reserved, 8);
  if (magic != 0xF7E58D4F05049CB7ULL) die("not a TVM params file", path);
  TAKE(&count, 8);
  char** names = calloc((size_t)count + 1, sizeof(char*));
  for (uint64_t i = 0; i < count; i++) {
    uint64_t len;
    TAKE(&len, 8);
    if (len > 4096) die("bad param name", path);
    names[i] = calloc(len + 1, 1);
    TAKE(names[i], len);
  }
  uint64_t arrays;
  TAKE(&arrays, 8);
  if (arrays != count) die("params: names and arrays differ in number", path);
  int loaded = 0;
  for (uint64_t i = 0; i < arrays; i++) {
    uint64_t amagic, ares;
    DLDevice dev;
    int32_t ndim;
    DLDataType dt;
    int64_t nbytes;
    TAKE(&amagic, 8);
    TAKE(&ares, 8);
    if (amagic != 0xDD5E40F096B4A13FULL) die("bad NDArray magic", path);
    TAKE(&dev, sizeof dev);
    TAKE(&ndim, 4);
    TAKE(&dt, sizeof dt);
    if (ndim < 0 || ndim > 8) die("bad NDArray rank", names[i]);
    off += 8 * (size_t)ndim;
    TAKE(&nbytes, 8);
    if (nbytes < 0 || off + (size_t)nbytes > psize) die("truncated", names[i]);
    int j = 0;
    while (j < n_params && strcmp(param_name[j], names[i]) != 0) j++;
    if (j == n_params) die("compiled.params holds a value the graph does not use", names[i]);
    if ((size_t)nbytes != e[param_eid[j]].bytes) die("param size does not match the graph", names[i]);
    memcpy(e[param_eid[j]].t.data, blob + off, (size_t)nbytes);
    off += (size_t)nbytes;
    loaded++;
  }
  if (loaded != n_params) die("compiled.params lacks a parameter of the graph", NULL);

  if (fscanf(plan, "%511s %d", word, &n) != 2 || strcmp(word, "ops") != 0) die("bad plan", "ops");
  int n_ops = n;
  for (int i = 0; i < n_ops; i++) {
    int nargs;
    if (fscanf(plan, "%511s %d", word, &nargs) != 2 || nargs < 0 || nargs > 256) die("bad plan", "op");
    TVMValue args[256], ret;
    int codes[256], ret_code = 0;
    for (int a = 0; a < nargs; a++) {
      int eid;
      if (fscanf(plan, "%d", &eid) != 1 || eid < 0 || eid >= n_entries) die("bad plan", "op arg");
      args[a].v_handle = &e[eid].t;
      codes[a] = kDLTensorHandle;
    }
    if (strcmp(word, "__nop") == 0) continue;
    packed_fn f = (packed_fn)dlsym(lib, word);
    if (!f) die("operator missing from compiled.so", word);
    if (f(args, codes, nargs, &ret, &ret_code, NULL) != 0) die(word, last_error);
  }

  if (fscanf(plan, "%511s %d", word, &n) != 2 || strcmp(word, "outputs") != 0) die("bad plan", "outputs");
  for (int i = 0; i < n; i++) {
    int eid;
    if (fscanf(plan, "%d", &eid) != 1 || eid < 0 || eid >= n_entries) die("bad plan", "output");
    snprintf(path, sizeof path, "%s%d.bin", argv[3], i);
    FILE* out = fopen(path, "wb");
    if (!out || fwrite(e[eid].t.data, 1, e[eid].bytes, out) != e[eid].bytes || fclose(out) != 0) die("cannot write", path);
  }
  printf("ran %d operators, %d params, %d outputs\n", n_ops, n_params, n);
  return 0;
}
