#include "JobSupport.h"

#include "voxelkl/ExecutionOptions.h"

#include "itkMultiThreaderBase.h"

#include <algorithm>

namespace voxelkl
{

unsigned int
EffectiveThreads(unsigned int requested)
{
  return requested > 0 ? requested : std::max(1u, itk::MultiThreaderBase::GetGlobalDefaultNumberOfThreads());
}

} // namespace voxelkl
