// The per-voxel arithmetic shared by the ITK filters (tile by tile) and the volume-by-volume
// path, so that both give the same bits.
#ifndef voxelkl_TemporalKernels_h
#define voxelkl_TemporalKernels_h

#include "voxelkl/MomentAccumulator.h"

#include <cstddef>

namespace voxelkl
{

/** Adds one time point of `count` consecutive voxels to their accumulators; voxels whose
 * inside flag is 0 are left alone (inside may be null: all inside). A voxel's result
 * depends only on the sequence of its own values, so callers that push time points in
 * time order get identical results whatever the voxel ranges they split the work into. */
template <typename TAccumulator, typename TValue>
inline void
PushTimePoint(TAccumulator * accumulators, const TValue * values, std::size_t count, const unsigned char * inside)
{
  for (std::size_t x = 0; x < count; ++x)
  {
    if (inside == nullptr || inside[x] != 0)
    {
      accumulators[x].Push(static_cast<double>(values[x]));
    }
  }
}

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
