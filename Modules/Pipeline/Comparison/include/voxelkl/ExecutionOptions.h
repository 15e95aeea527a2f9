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
  /** Series that can be read volume by volume (NIfTI, lists of 3D files) are, and need no
   * tiles. Other 4D formats (MetaImage, NRRD) stream through the ITK filters in tiles
   * along the slowest axis: N > 0 tiles, or 0 for tiles sized to a memory budget. */
  unsigned int tiles{ 0 };
  /** Called with the fraction done (0..1), from one thread at a time. */
  std::function<void(double)> progress;
};

/** What was done, for summaries. */
struct ExecutionReport
{
  std::string  readMode; ///< "volumes" (each file read once, volume by volume) or "tiles"
  unsigned int tiles{ 0 };
  unsigned int threads{ 0 };
};

/** The number of threads a job runs on for the given option. */
unsigned int
EffectiveThreads(unsigned int requested);

} // namespace voxelkl

#endif
