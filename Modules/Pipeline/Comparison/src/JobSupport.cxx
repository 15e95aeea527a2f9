#include "JobSupport.h"

#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionOptions.h"

#include "itkMultiThreaderBase.h"

#include <tbb/info.h>

#include <fmt/format.h>

#include <algorithm>
#include <unistd.h>

namespace voxelkl
{

unsigned int
EffectiveThreads(unsigned int requested)
{
  const unsigned int wanted = requested > 0 ? requested : itk::MultiThreaderBase::GetGlobalDefaultNumberOfThreads();
  const auto         cores = static_cast<unsigned int>(std::max(1, tbb::info::default_concurrency()));
  return std::clamp(wanted, 1u, cores);
}

double
PhysicalMemory()
{
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long pageSize = sysconf(_SC_PAGESIZE);
  return pages > 0 && pageSize > 0 ? static_cast<double>(pages) * static_cast<double>(pageSize) : 0.0;
}

void
RequireMemory(const std::string & what, double bytes)
{
  const double physical = PhysicalMemory();
  if (physical > 0.0 && bytes > physical)
  {
    constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
    throw InputError(what,
                     fmt::format("its grid needs about {:.1f} GiB of memory, more than this machine's {:.1f} GiB "
                                 "(is the header's size right?)",
                                 bytes / GiB,
                                 physical / GiB));
  }
}

} // namespace voxelkl
