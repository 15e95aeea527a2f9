// Force-included (-include) in every C++ file of the clang builds (sanitizers, fuzzers).
// Debian 12's ITK 5.2 was configured with GCC, and its itk_compiler_detection.h knows only
// that compiler: any other stops with "#error Unsupported compiler" (ITK's own sources are
// not compiled here, only its headers). It is read once, here, with clang presented as
// GCC 12 (the version Debian built ITK with), so that the C++ features it checks come out
// as they did for that build; its include guard keeps the later #include from reading it
// again. Everything else sees clang as clang.
#if defined(__clang__) && defined(__has_include)
#if __has_include(<itk_compiler_detection.h>)
#pragma push_macro("__clang__")
#pragma push_macro("__GNUC__")
#pragma push_macro("__GNUC_MINOR__")
#undef __clang__
#undef __GNUC__
#undef __GNUC_MINOR__
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#include <itk_compiler_detection.h>
#pragma pop_macro("__GNUC_MINOR__")
#pragma pop_macro("__GNUC__")
#pragma pop_macro("__clang__")
#endif
#endif
