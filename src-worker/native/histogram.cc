// A layer capture's statistics of one tensor (Backend.histogramStats in src-worker/engine/backend/types.ts;
// backend/ts.ts is the specification): the finite values' count, sum, min, max, the sum of squared
// deviations from their mean and a histogram over src-shared/layerStats.ts's bins, in two passes, with the
// specification's arithmetic in its order so the results are equal. The bins' edges and lookup table come
// from JavaScript once (setHistogramBins), so both kernels locate a value with the same doubles.

#include "histogram.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace histogram {
namespace {

struct Bins {
  std::vector<double> edges;
  std::vector<int16_t> table;
  int eMin = 0, eMax = -1, mantBits = 0, sideBins = 0, centre = 0, count = 0;
  double minMagnitude = 0;
  bool ready = false;
};
// Written once per process before any capture (the module's load), read-only after.
Bins g_bins;

napi_value Fail(napi_env env, const char* what) {
  char msg[192];
  snprintf(msg, sizeof msg, "histogramStats: %s", what);
  napi_throw_range_error(env, nullptr, msg);
  return nullptr;
}

inline int SideBin(const Bins& b, double a, int e, int mant) {
  if (e > b.eMax) return b.sideBins - 1;
  int k = b.table[size_t((e - b.eMin) << b.mantBits) | size_t(mant)];
  if (b.edges[size_t(k + 1)] <= a) k++;
  return k < 0 ? 0 : k >= b.sideBins ? b.sideBins - 1 : k;
}

// The bin of a finite x: the exponent and top mantissa bits of |x| as a double (a float32 widened is exact,
// so they are the float's own, which the TypeScript kernel reads from its bits).
inline int BinOf(const Bins& b, double x) {
  const double a = x < 0 ? -x : x;
  if (a < b.minMagnitude) return b.centre;
  uint64_t bits;
  std::memcpy(&bits, &a, sizeof bits);
  const uint32_t hi = uint32_t(bits >> 32);
  const int e = int((hi >> 20) & 0x7ff) - 1023;
  const int mant = int((hi >> (20 - b.mantBits)) & ((1u << b.mantBits) - 1));
  const int k = SideBin(b, a, e, mant);
  return x > 0 ? b.centre + 1 + k : b.centre - 1 - k;
}

template <typename T>
void Stats(const Bins& b, const T* v, int64_t len, bool relu, double* out) {
  double* hist = out + 6;
  // Four histograms, filled round robin and added at the end: runs of values in one bin would otherwise
  // wait on the previous increment of the same counter. Counts are integers, so the sums are exact.
  thread_local std::vector<double> parts;
  const size_t count = size_t(b.count);
  parts.assign(4 * count, 0.0);
  double* h[4] = {parts.data(), parts.data() + count, parts.data() + 2 * count, parts.data() + 3 * count};
  double n = 0, nonFinite = 0, sum = 0, min = INFINITY, max = -INFINITY;
  for (int64_t i = 0; i < len; i++) {
    double x = v[i];
    if (relu && x < 0) x = 0;
    if (x - x != 0) {
      // NaN or +-Infinity: Infinity - Infinity is NaN.
      nonFinite++;
      continue;
    }
    n++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
    h[i & 3][BinOf(b, x)] += 1;
  }
  for (size_t k = 0; k < count; k++) hist[k] = (h[0][k] + h[1][k]) + (h[2][k] + h[3][k]);
  const double mean = n > 0 ? sum / n : 0;
  double ss = 0;
  for (int64_t i = 0; i < len; i++) {
    double x = v[i];
    if (relu && x < 0) x = 0;
    // binding.gyp turns off contraction, so this is a product then a sum, as in JavaScript.
    if (x - x == 0) ss += (x - mean) * (x - mean);
  }
  out[0] = n;
  out[1] = nonFinite;
  out[2] = sum;
  out[3] = min;
  out[4] = max;
  out[5] = ss;
}

bool TypedArray(napi_env env, napi_value v, napi_typedarray_type* type, size_t* length, void** data) {
  return napi_get_typedarray_info(env, v, type, length, data, nullptr, nullptr) == napi_ok;
}

bool Int(napi_env env, napi_value v, int* out) {
  int32_t i;
  if (napi_get_value_int32(env, v, &i) != napi_ok) return false;
  *out = i;
  return true;
}

}  // namespace

// setHistogramBins(edges: Float64Array, table: Int16Array, eMin, eMax, mantBits, sideBins, centre, count,
// minMagnitude)
napi_value SetBinsJs(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value a[9];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc < 9) return Fail(env, "setHistogramBins expects 9 arguments");
  napi_typedarray_type te, tt;
  size_t ne, nt;
  void *de, *dt;
  if (!TypedArray(env, a[0], &te, &ne, &de) || te != napi_float64_array)
    return Fail(env, "setHistogramBins: edges must be a Float64Array");
  if (!TypedArray(env, a[1], &tt, &nt, &dt) || tt != napi_int16_array)
    return Fail(env, "setHistogramBins: table must be an Int16Array");
  Bins b;
  if (!Int(env, a[2], &b.eMin) || !Int(env, a[3], &b.eMax) || !Int(env, a[4], &b.mantBits) ||
      !Int(env, a[5], &b.sideBins) || !Int(env, a[6], &b.centre) || !Int(env, a[7], &b.count) ||
      napi_get_value_double(env, a[8], &b.minMagnitude) != napi_ok)
    return Fail(env, "setHistogramBins: the layout must be numbers");
  // The lookups stay in bounds: the table covers every exponent from eMin to eMax, its entries (-1 below
  // the first edge up to sideBins above the last) index the edges at k + 1, which run to the Infinity
  // after the last bin, and the bins written fit the count.
  if (b.mantBits < 1 || b.mantBits > 20 || b.eMax < b.eMin || b.sideBins < 1 ||
      nt != size_t(b.eMax - b.eMin + 1) << b.mantBits || ne < size_t(b.sideBins) + 2 ||
      b.centre != b.sideBins || b.count != 2 * b.sideBins + 1 || !(b.minMagnitude > 0))
    return Fail(env, "setHistogramBins: inconsistent layout");
  const int16_t* table = static_cast<const int16_t*>(dt);
  for (size_t i = 0; i < nt; i++)
    if (table[i] < -1 || table[i] > b.sideBins) return Fail(env, "setHistogramBins: table entry out of range");
  b.edges.assign(static_cast<const double*>(de), static_cast<const double*>(de) + ne);
  b.table.assign(table, table + nt);
  b.ready = true;
  if (!g_bins.ready) g_bins = std::move(b);
  return nullptr;
}

// histogramStats(values: Float32Array | Float64Array, relu: boolean, out: Float64Array)
napi_value StatsJs(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  if (argc < 3) return Fail(env, "expected 3 arguments (values, relu, out)");
  if (!g_bins.ready) return Fail(env, "setHistogramBins was not called");
  napi_typedarray_type tv, to;
  size_t nv, no;
  void *dv, *dout;
  if (!TypedArray(env, a[0], &tv, &nv, &dv) || (tv != napi_float32_array && tv != napi_float64_array))
    return Fail(env, "values must be a Float32Array or Float64Array");
  bool relu;
  if (napi_get_value_bool(env, a[1], &relu) != napi_ok) return Fail(env, "relu must be a boolean");
  if (!TypedArray(env, a[2], &to, &no, &dout) || to != napi_float64_array || no < size_t(6 + g_bins.count))
    return Fail(env, "out must be a Float64Array of 6 + the bin count");
  double* out = static_cast<double*>(dout);
  // out must not lie inside values (it is written after values are read in the same pass otherwise).
  const uintptr_t v0 = reinterpret_cast<uintptr_t>(dv), o0 = reinterpret_cast<uintptr_t>(dout);
  const size_t vb = nv * (tv == napi_float32_array ? 4 : 8), ob = no * 8;
  if (nv > 0 && v0 < o0 + ob && o0 < v0 + vb) return Fail(env, "out must not share memory with values");
  if (tv == napi_float32_array)
    Stats<float>(g_bins, static_cast<const float*>(dv), int64_t(nv), relu, out);
  else
    Stats<double>(g_bins, static_cast<const double*>(dv), int64_t(nv), relu, out);
  return nullptr;
}

}  // namespace histogram
