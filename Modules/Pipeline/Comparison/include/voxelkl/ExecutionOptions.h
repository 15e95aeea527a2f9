// How a job runs: threads, tiles, progress. None of it changes the result.
#ifndef voxelkl_ExecutionOptions_h
#define voxelkl_ExecutionOptions_h

#include "voxelkl/MemoryLimit.h" // PhysicalMemory, RequireMemory: what the jobs check

#include <cstddef>
#include <functional>
#include <string>

namespace voxelkl
{

struct ExecutionOptions
{
  /** Worker threads; 0 = ITK's global default (ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS, else
   * the number of cores); never more than the cores (EffectiveThreads). */
  unsigned int threads{ 0 };
  /** Voxel tiles of the tile traversal (uncompressed float NIfTI, k-NN, histogram): N > 0
   * splits the grid into about N tiles, 0 sizes them for the cache. Maps computed volume
   * by volume ignore it. */
  unsigned int tiles{ 0 };
  /** Called with the fraction done (0..1), from one thread at a time; the last call
   * reports 1. */
  std::function<void(double)> progress;
  /** Asked between tiles and blocks of volumes: true stops the job with voxelkl::Cancelled. */
  std::function<bool()> cancelled;
};

/** What was done, for summaries. */
struct ExecutionReport
{
  std::string  readMode; ///< "voxel tiles" or "volumes" (each file once, volume by volume)
  unsigned int tiles{ 0 };
  unsigned int threads{ 0 };
};

/** The most threads an executable accepts (--threads). */
constexpr unsigned int MaximumThreads = 1024;

/** The number of threads a job runs on for the given option: the request (0: ITK's global
 * default), at most the machine's cores as oneTBB sees them. */
unsigned int
EffectiveThreads(unsigned int requested);

} // namespace voxelkl

#endif
