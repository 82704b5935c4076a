# Built by npm install / npm ci / npm rebuild (node-gyp). BLAS is loaded at run time (dlopen), so no BLAS
# headers or libraries are needed to build; see src-worker/native/blas.cc.
{
  'targets': [
    {
      'target_name': 'workbench_blas',
      'sources': ['src-worker/native/blas.cc', 'src-worker/native/fused.cc', 'src-worker/native/histogram.cc'],
      # No contraction of a * b + c into one rounding: the kernels compute what their TypeScript
      # specifications do, and the capture statistics equal them exactly.
      'cflags_cc': ['-Wall', '-Wextra', '-ffp-contract=off'],
      'conditions': [
        ['OS=="linux"', { 'libraries': ['-ldl'] }],
        ['OS=="mac"', {
          'xcode_settings': {
            'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
            'MACOSX_DEPLOYMENT_TARGET': '10.15',
            'OTHER_CPLUSPLUSFLAGS': ['-Wall', '-Wextra', '-ffp-contract=off'],
          },
        }],
        ['OS=="win"', {
          'defines': ['WIN32_LEAN_AND_MEAN', 'NOMINMAX'],
          'msvs_settings': { 'VCCLCompilerTool': { 'AdditionalOptions': ['/std:c++17'] } },
        }],
      ],
    },
  ],
}
