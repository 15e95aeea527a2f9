#include "voxelkl/ExecutionArguments.h"

#include "voxelkl/Errors.h"

#include "itkMultiThreaderBase.h"

namespace voxelkl
{

void
AddExecutionOptions(CommandDescription & description)
{
  auto & execution = description.AddGroup("Execution", "Speed and memory; results do not depend on them");
  execution.advanced = true;
  execution
    .Add(Parameter::Integer("threads",
                            "Threads",
                            "Worker threads; 0 = ITK's default (ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS or all cores).",
                            0))
    .Add(
      Parameter::Integer("tiles",
                         "Tiles",
                         "Voxel tiles of the maps read in tiles of voxels x all time points (uncompressed float NIfTI, "
                         "knn, histogram): N splits the grid into about N tiles; 0 = sized for the cache (Gaussian "
                         "maps) or to at most 16 MiB of each series' values per tile (knn, histogram). Maps read "
                         "volume by volume need none.",
                         0));
}

ExecutionOptions
ReadExecutionOptions(const ParsedArguments & arguments)
{
  const int threads = arguments.GetInt("threads");
  const int tiles = arguments.GetInt("tiles");
  if (threads < 0 || tiles < 0)
  {
    throw UsageError(threads < 0 ? "--threads must be 0 or more" : "--tiles must be 0 or more");
  }
  if (threads > static_cast<int>(MaximumThreads))
  {
    // oneTBB crashes on an arena of tens of thousands of threads; no machine has them.
    throw UsageError("--threads must be at most " + std::to_string(MaximumThreads) + ", not " +
                     std::to_string(threads));
  }
  // More threads than cores only costs: quietly capped (the summary says how many ran).
  const unsigned int effective = threads > 0 ? EffectiveThreads(static_cast<unsigned int>(threads)) : 0;
  if (effective > 0)
  {
    itk::MultiThreaderBase::SetGlobalDefaultNumberOfThreads(effective);
  }
  return { effective, static_cast<unsigned int>(tiles), {}, {} };
}

} // namespace voxelkl
