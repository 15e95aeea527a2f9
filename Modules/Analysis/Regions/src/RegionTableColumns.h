// The statistics columns of a region table, shared by its writer and its reader.
#ifndef voxelkl_RegionTableColumns_h
#define voxelkl_RegionTableColumns_h

#include "voxelkl/SampleSummary.h"

#include <array>

namespace voxelkl::detail
{

// The statistics of a map, in column order (after <map>_count): suffix, what it is, and
// where it lives in a SampleSummary.
struct RegionStatistic
{
  const char * suffix;
  const char * description;
  double SampleSummary::*value;
};

inline constexpr std::array<RegionStatistic, 9> RegionStatistics{ {
  { "mean", "mean", &SampleSummary::mean },
  { "std", "population standard deviation (numpy.std)", &SampleSummary::std },
  { "min", "minimum", &SampleSummary::min },
  { "p5", "5th percentile (numpy.percentile, linear)", &SampleSummary::p5 },
  { "p25", "25th percentile (numpy.percentile, linear)", &SampleSummary::p25 },
  { "median", "median", &SampleSummary::median },
  { "p75", "75th percentile (numpy.percentile, linear)", &SampleSummary::p75 },
  { "p95", "95th percentile (numpy.percentile, linear)", &SampleSummary::p95 },
  { "max", "maximum", &SampleSummary::max },
} };

} // namespace voxelkl::detail

#endif
