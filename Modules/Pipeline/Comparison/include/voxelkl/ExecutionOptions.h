// How a job runs: threads, tiles, progress. None of it changes the result.
#ifndef voxelkl_ExecutionOptions_h
#define voxelkl_ExecutionOptions_h

#include <cstddef>
#include <functional>
#include <string>

namespace voxelkl
{

struct ExecutionOptions
{
  /** Worker threads; 0 = ITK's global default (ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS, else
   * the number of cores). */
  unsigned int threads{ 0 };
  /** Tiles for 4D formats that stream through the ITK filters (MetaImage, NRRD), along the
   * slowest axis: N > 0, or 0 for tiles sized to a memory budget. NIfTI series and lists of
   * 3D files are read by VoxelKL itself (in voxel tiles or volume by volume) and ignore it. */
  unsigned int tiles{ 0 };
  /** Called with the fraction done (0..1), from one thread at a time. */
  std::function<void(double)> progress;
};

/** What was done, for summaries. */
struct ExecutionReport
{
  std::string  readMode; ///< "voxel tiles", "volumes" (each file once, volume by volume) or "tiles"
  unsigned int tiles{ 0 };
  unsigned int threads{ 0 };
};

/** The number of threads a job runs on for the given option. */
unsigned int
EffectiveThreads(unsigned int requested);

} // namespace voxelkl

#endif
