// Fused elementwise kernels of a training step (see the Backend interface in
// src-worker/engine/backend/types.ts; src-worker/engine/backend/ts.ts is their executable specification).
// Each one replaces several JavaScript passes over a buffer with a single native pass: bias and relu after
// a GEMM, the relu mask and the bias gradient before the next GEMM, softmax with its loss and gradient.
// Sums accumulate in double, as the TypeScript kernels do.

#include "fused.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#if defined(__GNUC__) || defined(__clang__)
#define WB_FUSED_PREFETCH(p) __builtin_prefetch(p)
#else
#define WB_FUSED_PREFETCH(p) ((void)(p))
#endif

namespace fused {
namespace {

struct Array {
  napi_typedarray_type type = napi_float32_array;
  size_t length = 0;
  void* data = nullptr;
  bool null = false;
};

// Reads a Float32Array / Float64Array (or, with allowNull, null); throws a TypeError naming fn and arg.
bool GetFloats(napi_env env, napi_value v, const char* fn, const char* name, bool allowNull, Array* out) {
  char msg[160];
  if (allowNull) {
    napi_valuetype t;
    napi_typeof(env, v, &t);
    if (t == napi_null || t == napi_undefined) {
      out->null = true;
      return true;
    }
  }
  if (napi_get_typedarray_info(env, v, &out->type, &out->length, &out->data, nullptr, nullptr) != napi_ok ||
      (out->type != napi_float32_array && out->type != napi_float64_array)) {
    snprintf(msg, sizeof msg, "%s: %s must be a Float32Array or Float64Array%s", fn, name,
             allowNull ? " or null" : "");
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  return true;
}

bool GetInt(napi_env env, napi_value v, const char* fn, const char* name, int64_t* out) {
  double d;
  char msg[160];
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0 && d <= 2147483647.0 && d == std::floor(d))) {
    snprintf(msg, sizeof msg, "%s: %s must be an integer from 0 to 2^31 - 1", fn, name);
    napi_throw_range_error(env, nullptr, msg);
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool GetBool(napi_env env, napi_value v, const char* fn, const char* name, bool* out) {
  char msg[160];
  if (napi_get_value_bool(env, v, out) != napi_ok) {
    snprintf(msg, sizeof msg, "%s: %s must be a boolean", fn, name);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  return true;
}

bool Args(napi_env env, napi_callback_info info, const char* fn, size_t want, napi_value* a) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc < want) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s: expected %zu arguments, got %zu", fn, want, argc);
    napi_throw_type_error(env, nullptr, msg);
    return false;
  }
  return true;
}

// Every array shares the first one's element type and holds at least `need` elements.
bool Check(napi_env env, const char* fn, const char* const* names, Array* const* arrays, const int64_t* need,
           int n) {
  char msg[192];
  for (int i = 0; i < n; i++) {
    if (arrays[i]->null) continue;
    if (arrays[i]->type != arrays[0]->type) {
      snprintf(msg, sizeof msg, "%s: %s must have the same element type as %s", fn, names[i], names[0]);
      napi_throw_type_error(env, nullptr, msg);
      return false;
    }
    if (int64_t(arrays[i]->length) < need[i]) {
      snprintf(msg, sizeof msg, "%s: %s has %zu elements, needs %lld", fn, names[i], arrays[i]->length,
               static_cast<long long>(need[i]));
      napi_throw_range_error(env, nullptr, msg);
      return false;
    }
  }
  return true;
}

bool Overlap(const Array& a, const Array& b, int64_t na, int64_t nb) {
  if (a.null || b.null || na == 0 || nb == 0) return false;
  const size_t el = a.type == napi_float32_array ? 4 : 8;
  const uintptr_t a0 = reinterpret_cast<uintptr_t>(a.data), b0 = reinterpret_cast<uintptr_t>(b.data);
  return a0 < b0 + size_t(nb) * el && b0 < a0 + size_t(na) * el;
}

// The exact same region (an in-place call) is fine; a partial overlap is not.
bool SameOrApart(const Array& a, const Array& b, int64_t n) { return a.data == b.data || !Overlap(a, b, n, n); }

napi_value Throw(napi_env env, const char* fn, const char* what) {
  char msg[192];
  snprintf(msg, sizeof msg, "%s: %s", fn, what);
  napi_throw_range_error(env, nullptr, msg);
  return nullptr;
}

// Every kernel's output is either exactly one of its inputs (in place) or apart from all of them (the
// wrappers check), so each row loop exists in both forms with restrict pointers: that lets the compiler
// vectorise it into branch-free selects. Left to guess, it must allow a partial overlap and falls back to
// a scalar loop whose data-dependent branch mispredicts on half of the relu's inputs.

template <typename T, bool kBias, bool kRelu>
inline void BiasActRow(const T* __restrict x, const T* __restrict b, int64_t M, T* __restrict o) {
  for (int64_t j = 0; j < M; j++) {
    const T v = kBias ? x[j] + b[j] : x[j];
    o[j] = kRelu ? (v < 0 ? T(0) : v) : v;
  }
}

template <typename T, bool kBias, bool kRelu>
inline void BiasActRowInPlace(T* __restrict o, const T* __restrict b, int64_t M) {
  for (int64_t j = 0; j < M; j++) {
    const T v = kBias ? o[j] + b[j] : o[j];
    o[j] = kRelu ? (v < 0 ? T(0) : v) : v;
  }
}

template <typename T, bool kBias, bool kRelu>
WB_SIMD_CLONES void BiasActRows(const T* x, const T* b, int64_t N, int64_t M, T* out) {
  for (int64_t i = 0; i < N; i++) {
    if (x == out)
      BiasActRowInPlace<T, kBias, kRelu>(out + i * M, b, M);
    else
      BiasActRow<T, kBias, kRelu>(x + i * M, b, M, out + i * M);
  }
}

// out[i, j] = act(x[i, j] + b[j]); act is relu (v < 0 ? 0 : v, so NaN passes) or the identity.
template <typename T>
WB_SIMD_CLONES void BiasAct(const T* x, const T* b, int64_t N, int64_t M, bool relu, T* out) {
  if (b && relu) BiasActRows<T, true, true>(x, b, N, M, out);
  else if (b) BiasActRows<T, true, false>(x, b, N, M, out);
  else if (relu) BiasActRows<T, false, true>(x, b, N, M, out);
  else if (x != out)
    for (int64_t i = 0; i < N * M; i++) out[i] = x[i];
}

template <typename T>
inline void ReluMaskRow(const T* __restrict g, const T* __restrict h, int64_t M, T* __restrict o) {
  for (int64_t j = 0; j < M; j++) o[j] = h[j] > 0 ? g[j] : T(0);
}

template <typename T>
inline void ReluMaskRowInPlace(T* __restrict o, const T* __restrict h, int64_t M) {
  for (int64_t j = 0; j < M; j++) o[j] = h[j] > 0 ? o[j] : T(0);
}

template <typename T>
inline void AddRow(const T* __restrict v, int64_t M, double* __restrict acc) {
  for (int64_t j = 0; j < M; j++) acc[j] += v[j];
}

// out = h > 0 ? g : 0; db[j] = sum_i out[i, j] in double (db may be null).
template <typename T>
WB_SIMD_CLONES void ReluBackward(const T* g, const T* h, int64_t N, int64_t M, T* out, T* db) {
  constexpr int64_t kChunk = 256;
  double acc[kChunk];
  // Column blocks keep the double accumulators in L1 for any M; each row's block is masked, then added
  // while it is still in L1.
  for (int64_t j0 = 0; j0 < M; j0 += kChunk) {
    const int64_t w = j0 + kChunk < M ? kChunk : M - j0;
    for (int64_t j = 0; j < w; j++) acc[j] = 0;
    for (int64_t i = 0; i < N; i++) {
      const int64_t r = i * M + j0;
      if (g == out)
        ReluMaskRowInPlace<T>(out + r, h + r, w);
      else
        ReluMaskRow<T>(g + r, h + r, w, out + r);
      if (db) AddRow<T>(out + r, w, acc);
    }
    if (db)
      for (int64_t j = 0; j < w; j++) db[j0 + j] = static_cast<T>(acc[j]);
  }
}

template <typename T>
WB_SIMD_CLONES void ColSums(const T* g, int64_t N, int64_t M, T* db) {
  constexpr int64_t kChunk = 256;
  double acc[kChunk];
  for (int64_t j0 = 0; j0 < M; j0 += kChunk) {
    const int64_t j1 = j0 + kChunk < M ? j0 + kChunk : M;
    for (int64_t j = j0; j < j1; j++) acc[j - j0] = 0;
    for (int64_t i = 0; i < N; i++) AddRow<T>(g + i * M + j0, j1 - j0, acc);
    for (int64_t j = j0; j < j1; j++) db[j] = static_cast<T>(acc[j - j0]);
  }
}

// Mean softmax cross-entropy of rows x (N, C) with labels y; dx = (softmax(x) - onehot(y)) / N.
// Returns -1 (never a loss) when a label is out of range; the caller checked the labels already.
template <typename T>
WB_SIMD_CLONES double SoftmaxLoss(const T* x, const int32_t* y, int64_t N, int64_t C, T* dx) {
  double loss = 0;
  const double n = double(N), invN = 1.0 / n;
  for (int64_t i = 0; i < N; i++) {
    const T* s = x + i * C;
    T* d = dx + i * C;
    const int32_t yi = y[i];
    if (yi < 0 || yi >= C) return -1;
    double max = s[0];
    for (int64_t j = 1; j < C; j++)
      if (s[j] > max) max = s[j];
    // The exponentials are kept (in dx, in double for float64 rows) and divided by their sum: one exp per
    // score instead of the two of exp(s - max - log(sum)); the same value up to rounding.
    double sum = 0;
    for (int64_t j = 0; j < C; j++) {
      const double e = std::exp(double(s[j]) - max);
      sum += e;
      d[j] = static_cast<T>(e);
    }
    const double logSum = std::log(sum);
    loss -= double(s[yi]) - max - logSum;
    const double scale = 1.0 / (sum * n);
    for (int64_t j = 0; j < C; j++) d[j] = static_cast<T>(double(d[j]) * scale);
    d[yi] = static_cast<T>(double(d[yi]) - invN);
  }
  return loss / n;
}

// out[b] = row indices[b] of src (rows of D): the minibatch of a float dataset. The row after next is
// prefetched while this one is copied: rows are random rows of an array far larger than the caches.
template <typename T>
void GatherRows(const T* src, int64_t D, const int32_t* idx, int64_t count, T* out) {
  for (int64_t b = 0; b < count; b++) {
    if (b + 2 < count) {
      const char* ahead = reinterpret_cast<const char*>(src + int64_t(idx[b + 2]) * D);
      for (int64_t k = 0; k < D * int64_t(sizeof(T)); k += 64) WB_FUSED_PREFETCH(ahead + k);
    }
    std::memcpy(out + b * D, src + int64_t(idx[b]) * D, size_t(D) * sizeof(T));
  }
}

template <typename T>
inline const T* P(const Array& a) {
  return a.null ? nullptr : static_cast<const T*>(a.data);
}
template <typename T>
inline T* W(const Array& a) {
  return a.null ? nullptr : static_cast<T*>(a.data);
}

}  // namespace

// biasAct(x, b | null, N, M, relu, out)
napi_value BiasActJs(napi_env env, napi_callback_info info) {
  const char* fn = "biasAct";
  napi_value a[6];
  if (!Args(env, info, fn, 6, a)) return nullptr;
  Array x, b, out;
  int64_t N, M;
  bool relu;
  if (!GetFloats(env, a[0], fn, "x", false, &x) || !GetFloats(env, a[1], fn, "b", true, &b) ||
      !GetInt(env, a[2], fn, "N", &N) || !GetInt(env, a[3], fn, "M", &M) || !GetBool(env, a[4], fn, "relu", &relu) ||
      !GetFloats(env, a[5], fn, "out", false, &out))
    return nullptr;
  const char* names[] = {"x", "b", "out"};
  Array* arrays[] = {&x, &b, &out};
  const int64_t need[] = {N * M, M, N * M};
  if (!Check(env, fn, names, arrays, need, 3)) return nullptr;
  if (!SameOrApart(x, out, N * M) || Overlap(b, out, M, N * M))
    return Throw(env, fn, "out must be x itself or not share memory with x and b");
  if (x.type == napi_float32_array)
    BiasAct<float>(P<float>(x), P<float>(b), N, M, relu, W<float>(out));
  else
    BiasAct<double>(P<double>(x), P<double>(b), N, M, relu, W<double>(out));
  return nullptr;
}

// reluBackward(g, h, N, M, out, db | null)
napi_value ReluBackwardJs(napi_env env, napi_callback_info info) {
  const char* fn = "reluBackward";
  napi_value a[6];
  if (!Args(env, info, fn, 6, a)) return nullptr;
  Array g, h, out, db;
  int64_t N, M;
  if (!GetFloats(env, a[0], fn, "g", false, &g) || !GetFloats(env, a[1], fn, "h", false, &h) ||
      !GetInt(env, a[2], fn, "N", &N) || !GetInt(env, a[3], fn, "M", &M) ||
      !GetFloats(env, a[4], fn, "out", false, &out) || !GetFloats(env, a[5], fn, "db", true, &db))
    return nullptr;
  const char* names[] = {"g", "h", "out", "db"};
  Array* arrays[] = {&g, &h, &out, &db};
  const int64_t need[] = {N * M, N * M, N * M, M};
  if (!Check(env, fn, names, arrays, need, 4)) return nullptr;
  if (!SameOrApart(g, out, N * M) || Overlap(h, out, N * M, N * M) || Overlap(db, out, M, N * M) ||
      Overlap(db, g, M, N * M) || Overlap(db, h, M, N * M))
    return Throw(env, fn, "out must be g itself or apart from g and h, and db apart from all");
  if (g.type == napi_float32_array)
    ReluBackward<float>(P<float>(g), P<float>(h), N, M, W<float>(out), W<float>(db));
  else
    ReluBackward<double>(P<double>(g), P<double>(h), N, M, W<double>(out), W<double>(db));
  return nullptr;
}

// colSums(g, N, M, db)
napi_value ColSumsJs(napi_env env, napi_callback_info info) {
  const char* fn = "colSums";
  napi_value a[4];
  if (!Args(env, info, fn, 4, a)) return nullptr;
  Array g, db;
  int64_t N, M;
  if (!GetFloats(env, a[0], fn, "g", false, &g) || !GetInt(env, a[1], fn, "N", &N) ||
      !GetInt(env, a[2], fn, "M", &M) || !GetFloats(env, a[3], fn, "db", false, &db))
    return nullptr;
  const char* names[] = {"g", "db"};
  Array* arrays[] = {&g, &db};
  const int64_t need[] = {N * M, M};
  if (!Check(env, fn, names, arrays, need, 2)) return nullptr;
  if (Overlap(g, db, N * M, M)) return Throw(env, fn, "db must not share memory with g");
  if (g.type == napi_float32_array)
    ColSums<float>(P<float>(g), N, M, W<float>(db));
  else
    ColSums<double>(P<double>(g), N, M, W<double>(db));
  return nullptr;
}

// softmaxLoss(x, y: Int32Array, N, C, dx) -> loss
napi_value SoftmaxLossJs(napi_env env, napi_callback_info info) {
  const char* fn = "softmaxLoss";
  napi_value a[5];
  if (!Args(env, info, fn, 5, a)) return nullptr;
  Array x, dx;
  int64_t N, C;
  napi_typedarray_type yt;
  size_t yLen;
  void* yData;
  if (!GetFloats(env, a[0], fn, "x", false, &x)) return nullptr;
  if (napi_get_typedarray_info(env, a[1], &yt, &yLen, &yData, nullptr, nullptr) != napi_ok ||
      yt != napi_int32_array) {
    napi_throw_type_error(env, nullptr, "softmaxLoss: y must be an Int32Array");
    return nullptr;
  }
  if (!GetInt(env, a[2], fn, "N", &N) || !GetInt(env, a[3], fn, "C", &C) ||
      !GetFloats(env, a[4], fn, "dx", false, &dx))
    return nullptr;
  if (N < 1 || C < 1) return Throw(env, fn, "N and C must be at least 1");
  const char* names[] = {"x", "dx"};
  Array* arrays[] = {&x, &dx};
  const int64_t need[] = {N * C, N * C};
  if (!Check(env, fn, names, arrays, need, 2)) return nullptr;
  if (int64_t(yLen) < N) return Throw(env, fn, "y has fewer than N labels");
  if (Overlap(x, dx, N * C, N * C)) return Throw(env, fn, "dx must not share memory with x");
  const int32_t* y = static_cast<const int32_t*>(yData);
  const double loss = x.type == napi_float32_array ? SoftmaxLoss<float>(P<float>(x), y, N, C, W<float>(dx))
                                                   : SoftmaxLoss<double>(P<double>(x), y, N, C, W<double>(dx));
  if (loss < 0) return Throw(env, fn, "a label is outside [0, C)");
  napi_value out;
  napi_create_double(env, loss, &out);
  return out;
}

// gatherRows(src, D, indices: Int32Array, count, out)
napi_value GatherRowsJs(napi_env env, napi_callback_info info) {
  const char* fn = "gatherRows";
  napi_value a[5];
  if (!Args(env, info, fn, 5, a)) return nullptr;
  Array src, out;
  int64_t D, count;
  napi_typedarray_type it;
  size_t idxLen;
  void* idxData;
  if (!GetFloats(env, a[0], fn, "src", false, &src) || !GetInt(env, a[1], fn, "D", &D)) return nullptr;
  if (napi_get_typedarray_info(env, a[2], &it, &idxLen, &idxData, nullptr, nullptr) != napi_ok ||
      it != napi_int32_array) {
    napi_throw_type_error(env, nullptr, "gatherRows: indices must be an Int32Array");
    return nullptr;
  }
  if (!GetInt(env, a[3], fn, "count", &count) || !GetFloats(env, a[4], fn, "out", false, &out)) return nullptr;
  const char* names[] = {"src", "out"};
  Array* arrays[] = {&src, &out};
  const int64_t need[] = {0, count * D};
  if (!Check(env, fn, names, arrays, need, 2)) return nullptr;
  if (int64_t(idxLen) < count) return Throw(env, fn, "indices has fewer than count entries");
  const int32_t* idx = static_cast<const int32_t*>(idxData);
  const int64_t rows = D > 0 ? int64_t(src.length) / D : 0;
  for (int64_t b = 0; b < count; b++) {
    if (idx[b] < 0 || idx[b] >= rows) return Throw(env, fn, "an index is outside the rows of src");
  }
  if (Overlap(src, out, int64_t(src.length), count * D)) return Throw(env, fn, "out must not share memory with src");
  if (src.type == napi_float32_array)
    GatherRows<float>(P<float>(src), D, idx, count, W<float>(out));
  else
    GatherRows<double>(P<double>(src), D, idx, count, W<double>(out));
  return nullptr;
}

}  // namespace fused
