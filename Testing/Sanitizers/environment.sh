# Runtime options of the AddressSanitizer/UndefinedBehaviorSanitizer builds (tests and
# fuzzers). Source it: `source Testing/Sanitizers/environment.sh`.
# - every UBSan report stops the program (halt_on_error) with its stack;
# - ASan's leak checker runs at exit (detect_leaks=1), with the suppressions of lsan.supp
#   (memory that third-party libraries keep until exit, each with its reason);
# - ubsan.supp lists the reports in third-party headers we cannot change (with why).
voxelkl_sanitizers_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ASAN_OPTIONS="detect_leaks=1:strict_init_order=1:check_initialization_order=1:detect_stack_use_after_return=0"
export LSAN_OPTIONS="suppressions=$voxelkl_sanitizers_dir/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$voxelkl_sanitizers_dir/ubsan.supp"
unset voxelkl_sanitizers_dir
