// The maps of the moments filter and how each is computed from an accumulator; shared by
// the ITK filter and the volume-by-volume path.
#ifndef voxelkl_TemporalKernels_h
#define voxelkl_TemporalKernels_h

#include "voxelkl/MomentAccumulator.h"

#include <cstddef>

namespace voxelkl
{

/** The maps of the moments filter, in output order. */
enum class MomentMap : unsigned int
{
  Mean = 0,
  Variance,
  StandardDeviation,
  Skewness,
  ExcessKurtosis,
  Count,
  NumberOfMaps
};

/** The value of one moments map at a voxel. Conventions: variance is maximum likelihood
 * (divide by n, numpy.var); skewness and excess kurtosis are scipy.stats' defaults
 * (bias=True), 0 for a constant series; count is the number of finite samples. */
inline double
MomentMapValue(const MomentAccumulator & a, MomentMap map)
{
  switch (map)
  {
    case MomentMap::Mean:
      return a.Mean();
    case MomentMap::Variance:
      return a.Variance();
    case MomentMap::StandardDeviation:
      return a.StandardDeviation();
    case MomentMap::Skewness:
      return a.Skewness();
    case MomentMap::ExcessKurtosis:
      return a.ExcessKurtosis();
    case MomentMap::Count:
      return a.Count();
    case MomentMap::NumberOfMaps:
      break;
  }
  return 0.0;
}

} // namespace voxelkl

#endif
