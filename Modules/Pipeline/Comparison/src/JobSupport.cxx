#include "JobSupport.h"

#include "voxelkl/ExecutionOptions.h"

#include "itkMultiThreaderBase.h"

#include <tbb/info.h>

#include <algorithm>

namespace voxelkl
{

unsigned int
EffectiveThreads(unsigned int requested)
{
  const unsigned int wanted = requested > 0 ? requested : itk::MultiThreaderBase::GetGlobalDefaultNumberOfThreads();
  const auto         cores = static_cast<unsigned int>(std::max(1, tbb::info::default_concurrency()));
  return std::clamp(wanted, 1u, cores);
}

} // namespace voxelkl
