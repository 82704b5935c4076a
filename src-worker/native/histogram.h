// A layer capture's per-tensor statistics (histogram.cc), registered by blas.cc's module init.
#pragma once

#define NAPI_VERSION 8
#include <node_api.h>

namespace histogram {
napi_value SetBinsJs(napi_env env, napi_callback_info info);
napi_value StatsJs(napi_env env, napi_callback_info info);
}  // namespace histogram
