// The fused elementwise kernels (fused.cc), registered by blas.cc's module init.
#pragma once

#define NAPI_VERSION 8
#include <node_api.h>

// The elementwise kernels are compiled twice on x86-64 Linux, for the baseline (SSE2) and for AVX2, and the
// loader picks the clone the CPU runs (GNU ifunc): the addon is built once for every machine, and a pass
// over a buffer of relus or pixels is twice as wide where AVX2 exists. AVX2 without FMA, so no product and
// sum are contracted: both clones compute exactly what the TypeScript specification does.
#if defined(__x86_64__) && defined(__linux__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define WB_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef WB_SIMD_CLONES
#define WB_SIMD_CLONES
#endif

namespace fused {
napi_value BiasActJs(napi_env env, napi_callback_info info);
napi_value ReluBackwardJs(napi_env env, napi_callback_info info);
napi_value ColSumsJs(napi_env env, napi_callback_info info);
napi_value SoftmaxLossJs(napi_env env, napi_callback_info info);
napi_value GatherRowsJs(napi_env env, napi_callback_info info);
}  // namespace fused
