// The fused elementwise kernels (fused.cc), registered by blas.cc's module init.
#pragma once

#define NAPI_VERSION 8
#include <node_api.h>

namespace fused {
napi_value BiasActJs(napi_env env, napi_callback_info info);
napi_value ReluBackwardJs(napi_env env, napi_callback_info info);
napi_value ColSumsJs(napi_env env, napi_callback_info info);
napi_value SoftmaxLossJs(napi_env env, napi_callback_info info);
napi_value GatherRowsJs(napi_env env, napi_callback_info info);
}  // namespace fused
