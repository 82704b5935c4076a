// workbench_blas: row-major GEMM through a BLAS library loaded at run time.
//
// BLAS is dlopen'ed rather than linked so that the addon builds on machines without BLAS headers or
// libraries (CI images, fresh laptops) and so that OPENBLAS_CORETYPE can be set before OpenBLAS's load-time
// CPU detection runs. The library is process-wide; the addon is context-aware so every worker thread gets
// its own module instance, all sharing the one library loaded under g_load_mutex.

#define NAPI_VERSION 8
#include <node_api.h>

#include "fused.h"
#include "histogram.h"

#include <atomic>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <type_traits>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define WB_PREFETCH(p) __builtin_prefetch(p)
#else
#define WB_PREFETCH(p) ((void)(p))
#endif

namespace {

// CBLAS enum values; declared here because no cblas.h is required at build time.
constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;

typedef void (*SgemmFn)(int, int, int, int, int, int, float, const float*, int, const float*, int, float,
                        float*, int);
typedef void (*DgemmFn)(int, int, int, int, int, int, double, const double*, int, const double*, int, double,
                        double*, int);
typedef void (*SaxpyFn)(int, float, const float*, int, float*, int);
typedef void (*DaxpyFn)(int, double, const double*, int, double*, int);
typedef double (*DsdotFn)(int, const float*, int, const float*, int);
typedef double (*DdotFn)(int, const double*, int, const double*, int);
typedef char* (*GetStringFn)();
typedef void (*SetThreadsFn)(int);
typedef int (*GetThreadsFn)();

struct Blas {
  SgemmFn sgemm = nullptr;
  DgemmFn dgemm = nullptr;
  SaxpyFn saxpy = nullptr;
  DaxpyFn daxpy = nullptr;
  DsdotFn dsdot = nullptr;
  DdotFn ddot = nullptr;
  GetStringFn corename = nullptr;
  GetStringFn config = nullptr;
  SetThreadsFn set_threads = nullptr;
  GetThreadsFn get_threads = nullptr;
  std::string library;
};

std::mutex g_load_mutex;
// Published once with release order so a thread that never called init still sees a complete struct.
std::atomic<const Blas*> g_blas{nullptr};

#ifdef _WIN32
typedef HMODULE LibHandle;
LibHandle OpenLib(const char* name, std::string* err) {
  // A full path (the DLL the installer ships): look for its own dependencies beside it, not only
  // beside the executable. The flag is undefined for bare names, which keep the default search.
  bool hasDir = strchr(name, '\\') != nullptr || strchr(name, '/') != nullptr;
  LibHandle h = hasDir ? LoadLibraryExA(name, nullptr, LOAD_WITH_ALTERED_SEARCH_PATH) : LoadLibraryA(name);
  if (!h) *err = std::string(name) + ": LoadLibrary error " + std::to_string(GetLastError());
  return h;
}
void* Sym(LibHandle h, const char* name) { return reinterpret_cast<void*>(GetProcAddress(h, name)); }
void CloseLib(LibHandle h) { FreeLibrary(h); }
void SetEnv(const char* name, const char* value) { _putenv_s(name, value); }
#else
typedef void* LibHandle;
LibHandle OpenLib(const char* name, std::string* err) {
  LibHandle h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = dlerror();
    *err = e ? e : (std::string(name) + ": dlopen failed");
  }
  return h;
}
void* Sym(LibHandle h, const char* name) { return dlsym(h, name); }
void CloseLib(LibHandle h) { dlclose(h); }
void SetEnv(const char* name, const char* value) { setenv(name, value, 1); }
#endif

#if defined(__APPLE__)
const char* const kDefaultLibs[] = {"/System/Library/Frameworks/Accelerate.framework/Accelerate"};
#elif defined(_WIN32)
const char* const kDefaultLibs[] = {"libopenblas.dll"};
#else
const char* const kDefaultLibs[] = {"libopenblas.so.0", "libopenblas.so"};
#endif

napi_value Str(napi_env env, const char* s) {
  napi_value v;
  if (s) napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  return v;
}

// Reads an optional string property; false (with a pending exception) when present but not a string.
bool OptString(napi_env env, napi_value obj, const char* key, std::string* out, bool* present) {
  *present = false;
  napi_value v;
  napi_valuetype t;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok) return false;
  if (t == napi_undefined || t == napi_null) return true;
  char msg[96];
  if (t != napi_string) {
    snprintf(msg, sizeof msg, "init: %s must be a string", key);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  size_t len = 0;
  napi_get_value_string_utf8(env, v, nullptr, 0, &len);
  out->resize(len + 1);
  napi_get_value_string_utf8(env, v, &(*out)[0], len + 1, &len);
  out->resize(len);
  *present = true;
  return true;
}

// Loads the library on the first successful call; the caller holds g_load_mutex.
const Blas* Load(const std::string& coretype, const std::string& lib, std::string* err) {
  // OpenBLAS reads OPENBLAS_CORETYPE in its constructor, i.e. during dlopen; worker threads' process.env
  // is a JS copy, so only a C-level setenv reaches it.
  if (!coretype.empty()) SetEnv("OPENBLAS_CORETYPE", coretype.c_str());
  std::string candidates[4];
  int n = 0;
  const char* envLib = getenv("WORKBENCH_BLAS_LIB");
  if (!lib.empty()) candidates[n++] = lib;
  else if (envLib && *envLib) candidates[n++] = envLib;
  else
    for (const char* d : kDefaultLibs) candidates[n++] = d;

  for (int i = 0; i < n; i++) {
    std::string e;
    LibHandle h = OpenLib(candidates[i].c_str(), &e);
    if (!h) {
      if (!err->empty()) *err += "; ";
      *err += e;
      continue;
    }
    Blas* b = new Blas();
    b->sgemm = reinterpret_cast<SgemmFn>(Sym(h, "cblas_sgemm"));
    b->dgemm = reinterpret_cast<DgemmFn>(Sym(h, "cblas_dgemm"));
    if (!b->sgemm || !b->dgemm) {
      if (!err->empty()) *err += "; ";
      *err += candidates[i] + " has no cblas_sgemm/cblas_dgemm";
      delete b;
      CloseLib(h);
      continue;
    }
    // Level-1 axpy is in every CBLAS; without it the JS side falls back to its own loop.
    b->saxpy = reinterpret_cast<SaxpyFn>(Sym(h, "cblas_saxpy"));
    b->daxpy = reinterpret_cast<DaxpyFn>(Sym(h, "cblas_daxpy"));
    // Dot products for sums of squares (the L2 term), float32 accumulated in double; optional likewise.
    b->dsdot = reinterpret_cast<DsdotFn>(Sym(h, "cblas_dsdot"));
    b->ddot = reinterpret_cast<DdotFn>(Sym(h, "cblas_ddot"));
    // Optional OpenBLAS extras, absent from Accelerate and reference BLAS.
    b->corename = reinterpret_cast<GetStringFn>(Sym(h, "openblas_get_corename"));
    b->config = reinterpret_cast<GetStringFn>(Sym(h, "openblas_get_config"));
    b->set_threads = reinterpret_cast<SetThreadsFn>(Sym(h, "openblas_set_num_threads"));
    b->get_threads = reinterpret_cast<GetThreadsFn>(Sym(h, "openblas_get_num_threads"));
    b->library = candidates[i];
    // Never dlclose'd: other threads may be inside a GEMM, and OpenBLAS's thread pool does not unload.
    g_blas.store(b, std::memory_order_release);
    return b;
  }
  return nullptr;
}

// init({ coretype?, threads?, lib? }) -> { library, core, config, threads }
napi_value Init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  std::string coretype, lib;
  bool hasCore = false, hasLib = false;
  int threads = 1;
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  if (t == napi_object) {
    if (!OptString(env, argv[0], "coretype", &coretype, &hasCore)) return nullptr;
    if (!OptString(env, argv[0], "lib", &lib, &hasLib)) return nullptr;
    napi_value v;
    napi_valuetype vt;
    napi_get_named_property(env, argv[0], "threads", &v);
    napi_typeof(env, v, &vt);
    if (vt != napi_undefined && vt != napi_null) {
      double d = 0;
      if (vt != napi_number || napi_get_value_double(env, v, &d) != napi_ok || d != std::floor(d) || d < 1 ||
          d > 1024) {
        napi_throw_range_error(env, nullptr, "init: threads must be an integer from 1 to 1024");
        return nullptr;
      }
      threads = static_cast<int>(d);
    }
  } else if (t != napi_undefined) {
    napi_throw_type_error(env, nullptr, "init: options must be an object");
    return nullptr;
  }

  const Blas* b;
  {
    std::lock_guard<std::mutex> lock(g_load_mutex);
    b = g_blas.load(std::memory_order_acquire);
    if (!b) {
#ifdef __APPLE__
      // Accelerate's equivalent of OPENBLAS_NUM_THREADS, read at load; a user's own setting wins.
      setenv("VECLIB_MAXIMUM_THREADS", std::to_string(threads).c_str(), 0);
#endif
      std::string err;
      b = Load(coretype, lib, &err);
      if (!b) {
        napi_throw_error(env, "ERR_BLAS_NOT_FOUND", err.c_str());
        return nullptr;
      }
    }
    // Changing the count re-plans OpenBLAS's pool, so leave it alone when it already matches.
    if (b->set_threads && (!b->get_threads || b->get_threads() != threads)) b->set_threads(threads);
  }

  napi_value out, v;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "library", Str(env, b->library.c_str()));
  napi_set_named_property(env, out, "core", Str(env, b->corename ? b->corename() : nullptr));
  napi_set_named_property(env, out, "config", Str(env, b->config ? b->config() : nullptr));
  if (b->get_threads) napi_create_int32(env, b->get_threads(), &v);
  else napi_get_null(env, &v);
  napi_set_named_property(env, out, "threads", v);
  return out;
}

napi_value CpuFeatures(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_object(env, &out);
  auto set = [&](const char* name, bool on) {
    napi_value v;
    napi_get_boolean(env, on, &v);
    napi_set_named_property(env, out, name, v);
  };
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  // libgcc/compiler-rt also check XCR0, so a feature the OS does not save registers for reads false.
  __builtin_cpu_init();
  set("avx", __builtin_cpu_supports("avx"));
  set("avx2", __builtin_cpu_supports("avx2"));
  set("fma", __builtin_cpu_supports("fma"));
  set("avx512f", __builtin_cpu_supports("avx512f"));
  set("avx512bw", __builtin_cpu_supports("avx512bw"));
  set("avx512dq", __builtin_cpu_supports("avx512dq"));
  set("avx512vl", __builtin_cpu_supports("avx512vl"));
#else
  // MSVC and non-x86: no pick, OpenBLAS detects the core itself.
  for (const char* f : {"avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl"}) set(f, false);
#endif
  return out;
}

template <typename T>
struct Kind;
template <>
struct Kind<float> {
  static constexpr napi_typedarray_type type = napi_float32_array;
  static constexpr const char* fn = "sgemm";
  static constexpr const char* array = "Float32Array";
};
template <>
struct Kind<double> {
  static constexpr napi_typedarray_type type = napi_float64_array;
  static constexpr const char* fn = "dgemm";
  static constexpr const char* array = "Float64Array";
};

template <typename T>
bool GetDim(napi_env env, napi_value v, const char* name, int min, int* out) {
  double d;
  char msg[128];
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    snprintf(msg, sizeof msg, "%s: %s must be a number", Kind<T>::fn, name);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  if (!(d >= min && d <= INT_MAX && d == std::floor(d))) {
    snprintf(msg, sizeof msg, "%s: %s must be an integer >= %d, got %g", Kind<T>::fn, name, min, d);
    napi_throw_range_error(env, nullptr, msg);
    return false;
  }
  *out = static_cast<int>(d);
  return true;
}

struct Span {
  void* data;
  size_t need;  // elements the GEMM touches, from the start of the view
};

// Checks type, stride and length of one matrix operand stored rows x cols with row stride ld.
template <typename T>
bool GetMatrix(napi_env env, napi_value v, const char* name, const char* ldName, int rows, int cols, int ld,
               Span* out) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  char msg[192];
  if (napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != Kind<T>::type) {
    snprintf(msg, sizeof msg, "%s: %s must be a %s", Kind<T>::fn, name, Kind<T>::array);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  // CBLAS rejects a stride below the row length even for empty matrices (and prints to stderr).
  if (ld < (cols > 1 ? cols : 1)) {
    snprintf(msg, sizeof msg, "%s: %s = %d is less than the %d columns of %s as stored", Kind<T>::fn, ldName,
             ld, cols, name);
    napi_throw_range_error(env, nullptr, msg);
    return false;
  }
  int64_t need = rows == 0 || cols == 0 ? 0 : int64_t(rows - 1) * ld + cols;
  if (int64_t(length) < need) {
    snprintf(msg, sizeof msg, "%s: %s has %zu elements, needs %lld for %d x %d with %s = %d", Kind<T>::fn, name,
             length, static_cast<long long>(need), rows, cols, ldName, ld);
    napi_throw_range_error(env, nullptr, msg);
    return false;
  }
  *out = {data, static_cast<size_t>(need)};
  return true;
}

template <typename T>
bool Overlaps(const Span& a, const Span& b) {
  if (a.need == 0 || b.need == 0) return false;
  uintptr_t a0 = reinterpret_cast<uintptr_t>(a.data), b0 = reinterpret_cast<uintptr_t>(b.data);
  return a0 < b0 + b.need * sizeof(T) && b0 < a0 + a.need * sizeof(T);
}

template <typename T>
void Call(const Blas* b, int ta, int tb, int M, int N, int K, T alpha, const T* A, int lda, const T* B, int ldb,
          T beta, T* C, int ldc);
template <>
void Call<float>(const Blas* b, int ta, int tb, int M, int N, int K, float alpha, const float* A, int lda,
                 const float* B, int ldb, float beta, float* C, int ldc) {
  b->sgemm(kRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
template <>
void Call<double>(const Blas* b, int ta, int tb, int M, int N, int K, double alpha, const double* A, int lda,
                  const double* B, int ldb, double beta, double* C, int ldc) {
  b->dgemm(kRowMajor, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// gemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc): C := alpha op(A) op(B) + beta C.
template <typename T>
napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value a[13];
  char msg[128];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  const Blas* blas = g_blas.load(std::memory_order_acquire);
  if (!blas) {
    snprintf(msg, sizeof msg, "%s: BLAS is not loaded; call init() first", Kind<T>::fn);
    napi_throw_error(env, nullptr, msg);
    return nullptr;
  }
  if (argc < 13) {
    snprintf(msg, sizeof msg, "%s: expected 13 arguments, got %zu", Kind<T>::fn, argc);
    napi_throw_type_error(env, nullptr, msg);
    return nullptr;
  }
  bool transA, transB;
  if (napi_get_value_bool(env, a[0], &transA) != napi_ok || napi_get_value_bool(env, a[1], &transB) != napi_ok) {
    snprintf(msg, sizeof msg, "%s: transA and transB must be booleans", Kind<T>::fn);
    napi_throw_type_error(env, nullptr, msg);
    return nullptr;
  }
  int M, N, K, lda, ldb, ldc;
  double alpha, beta;
  if (!GetDim<T>(env, a[2], "M", 0, &M) || !GetDim<T>(env, a[3], "N", 0, &N) ||
      !GetDim<T>(env, a[4], "K", 0, &K) || !GetDim<T>(env, a[7], "lda", 1, &lda) ||
      !GetDim<T>(env, a[9], "ldb", 1, &ldb) || !GetDim<T>(env, a[12], "ldc", 1, &ldc))
    return nullptr;
  if (napi_get_value_double(env, a[5], &alpha) != napi_ok || napi_get_value_double(env, a[10], &beta) != napi_ok) {
    snprintf(msg, sizeof msg, "%s: alpha and beta must be numbers", Kind<T>::fn);
    napi_throw_type_error(env, nullptr, msg);
    return nullptr;
  }
  Span A, B, C;
  if (!GetMatrix<T>(env, a[6], "A", "lda", transA ? K : M, transA ? M : K, lda, &A) ||
      !GetMatrix<T>(env, a[8], "B", "ldb", transB ? N : K, transB ? K : N, ldb, &B) ||
      !GetMatrix<T>(env, a[11], "C", "ldc", M, N, ldc, &C))
    return nullptr;
  if (Overlaps<T>(C, A) || Overlaps<T>(C, B)) {
    snprintf(msg, sizeof msg, "%s: C must not share memory with %s", Kind<T>::fn, Overlaps<T>(C, A) ? "A" : "B");
    napi_throw_range_error(env, nullptr, msg);
    return nullptr;
  }
  if (M == 0 || N == 0) return nullptr;
  T* c = static_cast<T*>(C.data);
  if (K == 0 || alpha == 0) {
    // Defined here rather than trusting every BLAS with K = 0: C := beta C, and beta = 0 clears NaNs.
    for (int i = 0; i < M; i++) {
      T* row = c + int64_t(i) * ldc;
      if (beta == 0)
        for (int j = 0; j < N; j++) row[j] = 0;
      else if (beta != 1)
        for (int j = 0; j < N; j++) row[j] *= static_cast<T>(beta);
    }
    return nullptr;
  }
  Call<T>(blas, transA ? kTrans : kNoTrans, transB ? kTrans : kNoTrans, M, N, K, static_cast<T>(alpha),
          static_cast<const T*>(A.data), lda, static_cast<const T*>(B.data), ldb, static_cast<T>(beta), c, ldc);
  return nullptr;
}

template <typename T>
void CallAxpy(const Blas* b, int n, T alpha, const T* x, T* y);
template <>
void CallAxpy<float>(const Blas* b, int n, float alpha, const float* x, float* y) {
  b->saxpy(n, alpha, x, 1, y, 1);
}
template <>
void CallAxpy<double>(const Blas* b, int n, double alpha, const double* x, double* y) {
  b->daxpy(n, alpha, x, 1, y, 1);
}

// axpy(n, alpha, x, y): y[0:n] += alpha * x[0:n]. Parameter updates and L2 gradients of whole weight
// matrices: memory-bound, and BLAS's vectorised loop beats V8's float32 loads and stores by ~5x.
template <typename T>
napi_value Axpy(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  char msg[160];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  const char* fn = sizeof(T) == 4 ? "saxpy" : "daxpy";
  const Blas* blas = g_blas.load(std::memory_order_acquire);
  if (!blas || !(sizeof(T) == 4 ? (void*)blas->saxpy : (void*)blas->daxpy)) {
    snprintf(msg, sizeof msg, "%s: BLAS is not loaded or has no cblas_%s", fn, fn);
    napi_throw_error(env, nullptr, msg);
    return nullptr;
  }
  if (argc < 4) {
    snprintf(msg, sizeof msg, "%s: expected 4 arguments (n, alpha, x, y), got %zu", fn, argc);
    napi_throw_type_error(env, nullptr, msg);
    return nullptr;
  }
  int n;
  double alpha;
  if (!GetDim<T>(env, a[0], "n", 0, &n)) return nullptr;
  if (napi_get_value_double(env, a[1], &alpha) != napi_ok) {
    snprintf(msg, sizeof msg, "%s: alpha must be a number", fn);
    napi_throw_type_error(env, nullptr, msg);
    return nullptr;
  }
  Span x, y;
  if (!GetMatrix<T>(env, a[2], "x", "n", 1, n, n > 0 ? n : 1, &x) ||
      !GetMatrix<T>(env, a[3], "y", "n", 1, n, n > 0 ? n : 1, &y))
    return nullptr;
  if (n == 0 || alpha == 0) return nullptr;
  if (Overlaps<T>(x, y)) {
    snprintf(msg, sizeof msg, "%s: x and y must not share memory", fn);
    napi_throw_range_error(env, nullptr, msg);
    return nullptr;
  }
  CallAxpy<T>(blas, n, static_cast<T>(alpha), static_cast<const T*>(x.data), static_cast<T*>(y.data));
  return nullptr;
}

// sumSquares(x, n) -> sum of x[i]^2 for i < n, accumulated in double: the L2 term of the loss over a
// whole weight matrix, through BLAS's vectorised dot product (cblas_dsdot for float32, so float32 values
// are summed in double as the TypeScript kernel does), or a plain double loop where BLAS lacks it.
napi_value SumSquares(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc < 2) {
    napi_throw_type_error(env, nullptr, "sumSquares: expected 2 arguments (x, n)");
    return nullptr;
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  if (napi_get_typedarray_info(env, a[0], &type, &length, &data, nullptr, nullptr) != napi_ok ||
      (type != napi_float32_array && type != napi_float64_array)) {
    napi_throw_type_error(env, nullptr, "sumSquares: x must be a Float32Array or Float64Array");
    return nullptr;
  }
  int n;
  if (!GetDim<float>(env, a[1], "n", 0, &n)) return nullptr;
  if (size_t(n) > length) {
    napi_throw_range_error(env, nullptr, "sumSquares: n exceeds the length of x");
    return nullptr;
  }
  const Blas* blas = g_blas.load(std::memory_order_acquire);
  double s = 0;
  if (type == napi_float32_array) {
    const float* x = static_cast<const float*>(data);
    if (blas && blas->dsdot && n > 0) s = blas->dsdot(n, x, 1, x, 1);
    else
      for (int i = 0; i < n; i++) s += double(x[i]) * double(x[i]);
  } else {
    const double* x = static_cast<const double*>(data);
    if (blas && blas->ddot && n > 0) s = blas->ddot(n, x, 1, x, 1);
    else
      for (int i = 0; i < n; i++) s += x[i] * x[i];
  }
  napi_value out;
  napi_create_double(env, s, &out);
  return out;
}

// out[b*D + j] = src[idx[b]*D + j] - mean[j] (mean null: no subtraction); every index is in range.
WB_SIMD_CLONES void GatherU8Rows(const uint8_t* s, int D, const int32_t* ix, int count, const float* m, float* o) {
  for (int b = 0; b < count; b++) {
    const uint8_t* row = s + size_t(ix[b]) * D;
    float* __restrict dst = o + size_t(b) * D;
    // Minibatch rows are random rows of a dataset far larger than the caches: ask for the row after next
    // while converting this one, so its cache misses overlap the work instead of stalling it.
    if (b + 2 < count) {
      const uint8_t* ahead = s + size_t(ix[b + 2]) * D;
      for (int j = 0; j < D; j += 64) WB_PREFETCH(ahead + j);
    }
    if (m)
      for (int j = 0; j < D; j++) dst[j] = float(row[j]) - m[j];
    else
      for (int j = 0; j < D; j++) dst[j] = float(row[j]);
  }
}

// gatherU8(src: Uint8Array, D, indices: Int32Array, count, mean: Float32Array | null, out: Float32Array):
// out[b*D + j] = src[indices[b]*D + j] - mean[j]. Minibatches of a shared uint8 dataset are converted here
// once per step: a tight loop the compiler vectorises, where V8 would box every byte read.
napi_value GatherU8(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value a[6];
  char msg[192];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc < 6) {
    napi_throw_type_error(env, nullptr, "gatherU8: expected 6 arguments (src, D, indices, count, mean, out)");
    return nullptr;
  }
  auto typed = [&](napi_value v, napi_typedarray_type want, const char* name, const char* kind, void** data,
                   size_t* len) -> bool {
    napi_typedarray_type type;
    if (napi_get_typedarray_info(env, v, &type, len, data, nullptr, nullptr) != napi_ok || type != want) {
      snprintf(msg, sizeof msg, "gatherU8: %s must be a %s", name, kind);
      napi_throw_type_error(env, nullptr, msg);
      return false;
    }
    return true;
  };
  void *src, *idx, *out, *mean = nullptr;
  size_t srcLen, idxLen, outLen, meanLen = 0;
  int D, count;
  if (!typed(a[0], napi_uint8_array, "src", "Uint8Array", &src, &srcLen) || !GetDim<float>(env, a[1], "D", 0, &D) ||
      !typed(a[2], napi_int32_array, "indices", "Int32Array", &idx, &idxLen) ||
      !GetDim<float>(env, a[3], "count", 0, &count) ||
      !typed(a[5], napi_float32_array, "out", "Float32Array", &out, &outLen))
    return nullptr;
  napi_valuetype mt;
  napi_typeof(env, a[4], &mt);
  if (mt != napi_null && !typed(a[4], napi_float32_array, "mean", "Float32Array or null", &mean, &meanLen))
    return nullptr;
  if (size_t(count) > idxLen || outLen < size_t(count) * size_t(D) || (mean && meanLen < size_t(D))) {
    snprintf(msg, sizeof msg, "gatherU8: %d rows of %d need %d indices, out of %lld and mean of %d", count, D,
             count, static_cast<long long>(count) * D, D);
    napi_throw_range_error(env, nullptr, msg);
    return nullptr;
  }
  const uint8_t* s = static_cast<const uint8_t*>(src);
  const int32_t* ix = static_cast<const int32_t*>(idx);
  const float* m = static_cast<const float*>(mean);
  float* o = static_cast<float*>(out);
  const size_t rows = D > 0 ? srcLen / size_t(D) : 0;
  for (int b = 0; b < count; b++) {
    if (ix[b] < 0 || size_t(ix[b]) >= rows) {
      snprintf(msg, sizeof msg, "gatherU8: indices[%d] = %d is outside the %zu rows of src", b, ix[b], rows);
      napi_throw_range_error(env, nullptr, msg);
      return nullptr;
    }
  }
  GatherU8Rows(s, D, ix, count, m, o);
  return nullptr;
}

// Valid output range [lo, hi) along one axis for kernel offset k: in-bounds where 0 <= o*stride + k - pad < size.
inline void ValidRange(int size, int out, int k, int stride, int pad, int* lo, int* hi) {
  int a = pad - k;  // o*stride >= a
  int b = size + pad - k;  // o*stride < b
  int l = a <= 0 ? 0 : (a + stride - 1) / stride;
  int h = b <= 0 ? 0 : (b + stride - 1) / stride;
  if (h > out) h = out;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

// cols[(c*HH + i)*WW + j, oy*Wo + ox] = x[c, oy*stride + i - pad, ox*stride + j - pad], 0 in the padding.
// The wrappers refuse overlapping arrays, so the pointers are restrict: the short row copies then compile
// to plain vector moves, without a runtime overlap check around each one (a third of im2col's time).
template <typename T>
WB_SIMD_CLONES void Im2col(const T* __restrict x, int C, int H, int W, int HH, int WW, int stride, int pad, int Ho, int Wo,
                           T* __restrict cols) {
  const int64_t P = int64_t(Ho) * Wo;
  T* dst = cols;
  for (int c = 0; c < C; c++) {
    const T* xc = x + int64_t(c) * H * W;
    for (int i = 0; i < HH; i++) {
      int ylo, yhi;
      ValidRange(H, Ho, i, stride, pad, &ylo, &yhi);
      for (int j = 0; j < WW; j++, dst += P) {
        int xlo, xhi;
        ValidRange(W, Wo, j, stride, pad, &xlo, &xhi);
        for (int oy = 0; oy < Ho; oy++) {
          T* o = dst + int64_t(oy) * Wo;
          if (oy < ylo || oy >= yhi) {
            for (int ox = 0; ox < Wo; ox++) o[ox] = 0;
            continue;
          }
          const T* xr = xc + int64_t(oy * stride + i - pad) * W + (j - pad);
          for (int ox = 0; ox < xlo; ox++) o[ox] = 0;
          if (stride == 1) {
            for (int ox = xlo; ox < xhi; ox++) o[ox] = xr[ox];
          } else {
            for (int ox = xlo; ox < xhi; ox++) o[ox] = xr[int64_t(ox) * stride];
          }
          for (int ox = xhi; ox < Wo; ox++) o[ox] = 0;
        }
      }
    }
  }
}

// dx[c, oy*stride + i - pad, ox*stride + j - pad] += cols[(c*HH + i)*WW + j, oy*Wo + ox], padding dropped.
template <typename T>
WB_SIMD_CLONES void Col2im(const T* __restrict cols, int C, int H, int W, int HH, int WW, int stride, int pad, int Ho,
                           int Wo, T* __restrict dx) {
  const int64_t P = int64_t(Ho) * Wo;
  const T* src = cols;
  for (int c = 0; c < C; c++) {
    T* xc = dx + int64_t(c) * H * W;
    for (int i = 0; i < HH; i++) {
      int ylo, yhi;
      ValidRange(H, Ho, i, stride, pad, &ylo, &yhi);
      for (int j = 0; j < WW; j++, src += P) {
        int xlo, xhi;
        ValidRange(W, Wo, j, stride, pad, &xlo, &xhi);
        for (int oy = ylo; oy < yhi; oy++) {
          const T* s = src + int64_t(oy) * Wo;
          T* xr = xc + int64_t(oy * stride + i - pad) * W + (j - pad);
          if (stride == 1) {
            for (int ox = xlo; ox < xhi; ox++) xr[ox] += s[ox];
          } else {
            for (int ox = xlo; ox < xhi; ox++) xr[int64_t(ox) * stride] += s[ox];
          }
        }
      }
    }
  }
}

// im2col(x, C, H, W, HH, WW, stride, pad, cols) and col2im(cols, C, H, W, HH, WW, stride, pad, dx): one image
// of a convolution (see Backend.im2col in src-worker/engine/backend/types.ts). Float32Array or Float64Array.
template <bool kToCols>
napi_value ImCol(napi_env env, napi_callback_info info) {
  const char* fn = kToCols ? "im2col" : "col2im";
  size_t argc = 9;
  napi_value a[9];
  char msg[192];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc < 9) {
    snprintf(msg, sizeof msg, "%s: expected 9 arguments, got %zu", fn, argc);
    napi_throw_type_error(env, nullptr, msg);
    return nullptr;
  }
  napi_typedarray_type t0, t1;
  size_t len0, len1;
  void *d0, *d1;
  if (napi_get_typedarray_info(env, a[0], &t0, &len0, &d0, nullptr, nullptr) != napi_ok ||
      napi_get_typedarray_info(env, a[8], &t1, &len1, &d1, nullptr, nullptr) != napi_ok || t0 != t1 ||
      (t0 != napi_float32_array && t0 != napi_float64_array)) {
    snprintf(msg, sizeof msg, "%s: the arrays must both be Float32Array or both Float64Array", fn);
    napi_throw_type_error(env, nullptr, msg);
    return nullptr;
  }
  int C, H, W, HH, WW, stride, pad;
  if (!GetDim<float>(env, a[1], "C", 0, &C) || !GetDim<float>(env, a[2], "H", 0, &H) ||
      !GetDim<float>(env, a[3], "W", 0, &W) || !GetDim<float>(env, a[4], "HH", 1, &HH) ||
      !GetDim<float>(env, a[5], "WW", 1, &WW) || !GetDim<float>(env, a[6], "stride", 1, &stride) ||
      !GetDim<float>(env, a[7], "pad", 0, &pad))
    return nullptr;
  const int64_t hs = int64_t(H) + 2 * int64_t(pad) - HH, ws = int64_t(W) + 2 * int64_t(pad) - WW;
  const int64_t Ho = hs < 0 ? 0 : hs / stride + 1, Wo = ws < 0 ? 0 : ws / stride + 1;
  const int64_t imageLen = int64_t(C) * H * W, colsLen = int64_t(C) * HH * WW * Ho * Wo;
  const size_t xLen = kToCols ? len0 : len1, cLen = kToCols ? len1 : len0;
  if (int64_t(xLen) < imageLen || int64_t(cLen) < colsLen) {
    snprintf(msg, sizeof msg, "%s: image has %zu elements (needs %lld), cols has %zu (needs %lld)", fn, xLen,
             static_cast<long long>(imageLen), cLen, static_cast<long long>(colsLen));
    napi_throw_range_error(env, nullptr, msg);
    return nullptr;
  }
  if (colsLen == 0) return nullptr;
  const size_t el = t0 == napi_float32_array ? 4 : 8;
  const Span img{kToCols ? d0 : d1, size_t(imageLen)}, col{kToCols ? d1 : d0, size_t(colsLen)};
  if (el == 4 ? Overlaps<float>(img, col) : Overlaps<double>(img, col)) {
    snprintf(msg, sizeof msg, "%s: image and cols must not share memory", fn);
    napi_throw_range_error(env, nullptr, msg);
    return nullptr;
  }
  if (kToCols) {
    if (el == 4)
      Im2col<float>(static_cast<const float*>(d0), C, H, W, HH, WW, stride, pad, int(Ho), int(Wo),
                    static_cast<float*>(d1));
    else
      Im2col<double>(static_cast<const double*>(d0), C, H, W, HH, WW, stride, pad, int(Ho), int(Wo),
                     static_cast<double*>(d1));
  } else {
    if (el == 4)
      Col2im<float>(static_cast<const float*>(d0), C, H, W, HH, WW, stride, pad, int(Ho), int(Wo),
                    static_cast<float*>(d1));
    else
      Col2im<double>(static_cast<const double*>(d0), C, H, W, HH, WW, stride, pad, int(Ho), int(Wo),
                     static_cast<double*>(d1));
  }
  return nullptr;
}

// 2x2 max pooling, stride 2, over planes of H x W (see Backend.maxPool2x2): written so the compiler can use
// branch-free max and blend instructions; a branchy loop mispredicts on about half of the windows.
template <typename T>
WB_SIMD_CLONES void MaxPool2x2(const T* __restrict x, int64_t planes, int H, int W, T* __restrict out) {
  const int Ho = H / 2, Wo = W / 2;
  for (int64_t p = 0; p < planes; p++) {
    for (int i = 0; i < Ho; i++) {
      const T* r0 = x + (p * H + 2 * i) * W;
      const T* r1 = r0 + W;
      T* o = out + (p * Ho + i) * Wo;
      for (int j = 0; j < Wo; j++) {
        T m = r0[2 * j];
        T b = r0[2 * j + 1], c = r1[2 * j], e = r1[2 * j + 1];
        m = (b > m || b != b) ? b : m;
        m = (c > m || c != c) ? c : m;
        m = (e > m || e != e) ? e : m;
        o[j] = m;
      }
    }
  }
}

// v where keep holds, +0 elsewhere, by masking its bits: a select the compiler cannot turn into a branch,
// and exact for every v (multiplying by 0 would turn an infinite gradient into NaN).
template <typename T>
inline T KeepIf(bool keep, T v) {
  using U = typename std::conditional<sizeof(T) == 4, uint32_t, uint64_t>::type;
  U u;
  std::memcpy(&u, &v, sizeof u);
  u &= U(0) - U(keep);
  std::memcpy(&v, &u, sizeof u);
  return v;
}

template <typename T>
WB_SIMD_CLONES void MaxPool2x2Backward(const T* __restrict x, const T* __restrict dout, int64_t planes, int H, int W,
                                       T* __restrict dx) {
  // Each window's four outputs are written once, in order (the gradient at the first maximum, 0 at the
  // others): no separate zeroing pass over dx and no scattered stores, so this runs at memory speed.
  const int Ho = H / 2, Wo = W / 2;
  for (int64_t p = 0; p < planes; p++) {
    const T* xp = x + p * H * W;
    T* dp = dx + p * H * W;
    for (int i = 0; i < Ho; i++) {
      const T* x0 = xp + int64_t(2 * i) * W;
      const T* x1 = x0 + W;
      T* d0 = dp + int64_t(2 * i) * W;
      T* d1 = d0 + W;
      const T* g = dout + (p * Ho + i) * Wo;
      for (int j = 0; j < Wo; j++) {
        const T a = x0[2 * j], b = x0[2 * j + 1], c = x1[2 * j], e = x1[2 * j + 1];
        // First maximum in row-major order: strict > keeps the earlier one on ties (the TS spec's rule).
        // Arithmetic rather than branches: on real activations the winner is random, and mispredicted
        // branches made this kernel ten times slower than the forward pass.
        const int gb = b > a;
        T m = gb ? b : a;
        int k = gb;
        const int gc = c > m;
        m = gc ? c : m;
        k += (2 - k) * gc;
        const int ge = e > m;
        k += (3 - k) * ge;
        const T gj = g[j];
        d0[2 * j] = KeepIf(k == 0, gj);
        d0[2 * j + 1] = KeepIf(k == 1, gj);
        d1[2 * j] = KeepIf(k == 2, gj);
        d1[2 * j + 1] = KeepIf(k == 3, gj);
      }
      // An odd width leaves a last column no window covers.
      if (W & 1) d0[W - 1] = d1[W - 1] = T(0);
    }
    // Likewise an odd height's last row.
    if (H & 1)
      for (int j = 0; j < W; j++) dp[int64_t(H - 1) * W + j] = T(0);
  }
}

// maxPool2x2(x, planes, H, W, out) and maxPool2x2Backward(x, dout, planes, H, W, dx).
template <bool kBackward>
napi_value Pool(napi_env env, napi_callback_info info) {
  const char* fn = kBackward ? "maxPool2x2Backward" : "maxPool2x2";
  const size_t want = kBackward ? 6 : 5;
  size_t argc = 6;
  napi_value a[6];
  char msg[192];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc < want) {
    snprintf(msg, sizeof msg, "%s: expected %zu arguments, got %zu", fn, want, argc);
    napi_throw_type_error(env, nullptr, msg);
    return nullptr;
  }
  const int arrays[3] = {0, kBackward ? 1 : 4, kBackward ? 5 : -1};
  napi_typedarray_type types[3];
  size_t lens[3] = {0, 0, 0};
  void* data[3] = {nullptr, nullptr, nullptr};
  for (int i = 0; i < 3; i++) {
    if (arrays[i] < 0) continue;
    if (napi_get_typedarray_info(env, a[arrays[i]], &types[i], &lens[i], &data[i], nullptr, nullptr) != napi_ok ||
        types[i] != types[0] || (types[0] != napi_float32_array && types[0] != napi_float64_array)) {
      snprintf(msg, sizeof msg, "%s: the arrays must all be Float32Array or all Float64Array", fn);
      napi_throw_type_error(env, nullptr, msg);
      return nullptr;
    }
  }
  const int d0 = kBackward ? 2 : 1;
  int planes, H, W;
  if (!GetDim<float>(env, a[d0], "planes", 0, &planes) || !GetDim<float>(env, a[d0 + 1], "H", 2, &H) ||
      !GetDim<float>(env, a[d0 + 2], "W", 2, &W))
    return nullptr;
  const int64_t inLen = int64_t(planes) * H * W, outLen = int64_t(planes) * (H / 2) * (W / 2);
  const size_t xLen = lens[0], gLen = kBackward ? lens[1] : 0, oLen = kBackward ? lens[2] : lens[1];
  if (int64_t(xLen) < inLen || (kBackward ? int64_t(gLen) < outLen || int64_t(oLen) < inLen
                                          : int64_t(oLen) < outLen)) {
    snprintf(msg, sizeof msg, "%s: arrays too short for %d planes of %d x %d", fn, planes, H, W);
    napi_throw_range_error(env, nullptr, msg);
    return nullptr;
  }
  if (planes == 0) return nullptr;
  const bool f32 = types[0] == napi_float32_array;
  const size_t el = f32 ? 4 : 8;
  const Span xs{data[0], size_t(inLen)};
  const Span os{kBackward ? data[2] : data[1], size_t(kBackward ? inLen : outLen)};
  const Span gs{kBackward ? data[1] : nullptr, size_t(kBackward ? outLen : 0)};
  const bool overlap = el == 4 ? Overlaps<float>(xs, os) || Overlaps<float>(gs, os)
                               : Overlaps<double>(xs, os) || Overlaps<double>(gs, os);
  if (overlap) {
    snprintf(msg, sizeof msg, "%s: the output must not share memory with the inputs", fn);
    napi_throw_range_error(env, nullptr, msg);
    return nullptr;
  }
  if (kBackward) {
    if (f32)
      MaxPool2x2Backward<float>(static_cast<const float*>(data[0]), static_cast<const float*>(data[1]), planes, H,
                                W, static_cast<float*>(data[2]));
    else
      MaxPool2x2Backward<double>(static_cast<const double*>(data[0]), static_cast<const double*>(data[1]), planes,
                                 H, W, static_cast<double*>(data[2]));
  } else {
    if (f32)
      MaxPool2x2<float>(static_cast<const float*>(data[0]), planes, H, W, static_cast<float*>(data[1]));
    else
      MaxPool2x2<double>(static_cast<const double*>(data[0]), planes, H, W, static_cast<double*>(data[1]));
  }
  return nullptr;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"init", nullptr, Init, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"cpuFeatures", nullptr, CpuFeatures, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sgemm", nullptr, Gemm<float>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"dgemm", nullptr, Gemm<double>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"saxpy", nullptr, Axpy<float>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"daxpy", nullptr, Axpy<double>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasAct", nullptr, fused::BiasActJs, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reluBackward", nullptr, fused::ReluBackwardJs, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"colSums", nullptr, fused::ColSumsJs, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmaxLoss", nullptr, fused::SoftmaxLossJs, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gatherRows", nullptr, fused::GatherRowsJs, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gatherU8", nullptr, GatherU8, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"im2col", nullptr, ImCol<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"col2im", nullptr, ImCol<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool2x2", nullptr, Pool<false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPool2x2Backward", nullptr, Pool<true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setHistogramBins", nullptr, histogram::SetBinsJs, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"histogramStats", nullptr, histogram::StatsJs, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
