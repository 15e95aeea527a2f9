// The voxel-wise moments of one series over time: the one place where their maps are
// written.
#ifndef voxelkl_MomentsMeasure_h
#define voxelkl_MomentsMeasure_h

#include "voxelkl/AccumulatorVector.h"
#include "voxelkl/MeasureState.h"
#include "voxelkl/MomentAccumulator.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace voxelkl
{

/** The maps of the moments measure, in output order. */
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

constexpr unsigned int MomentMapCount = static_cast<unsigned int>(MomentMap::NumberOfMaps);

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

/** Where the maps of a run of voxels go: one pointer per MomentMap at the run's first
 * voxel (null: not asked for). */
template <typename TMap>
using MomentsRow = std::array<TMap *, MomentMapCount>;

/** The order-4 moments of a run of voxels, time point by time point. */
class Moments
{
public:
  explicit Moments(std::size_t voxels)
    : m_Accumulators(voxels)
  {
  }

  /** Adds one time point to voxels [first, first + count); inside: null (all) or one
   * flag per voxel of the run. */
  template <typename T>
  void
  PushTimePoint(std::size_t first, std::size_t count, const T * values, const unsigned char * inside)
  {
    m_Accumulators.PushTimePoint(first, count, values, inside);
  }

  /** Writes voxels [first, first + count) into out (0 outside the mask); returns the
   * non-finite samples they skipped. */
  template <typename TMap>
  std::uint64_t
  Finish(std::size_t first, std::size_t count, const unsigned char * inside, const MomentsRow<TMap> & out) const
  {
    std::uint64_t skipped = 0;
    for (std::size_t i = 0; i < count; ++i)
    {
      const bool                isInside = inside == nullptr || inside[i] != 0;
      const MomentAccumulator & accumulator = m_Accumulators.Get(first + i);
      for (unsigned int n = 0; n < MomentMapCount; ++n)
      {
        if (out[n] != nullptr)
        {
          out[n][i] = static_cast<TMap>(isInside ? MomentMapValue(accumulator, static_cast<MomentMap>(n)) : 0.0);
        }
      }
      skipped += isInside ? accumulator.Skipped() : 0;
    }
    return skipped;
  }

  /** Copies the accumulators of voxels [first, first + count) into voxels [at, at + count)
   * of a Moments state. */
  void
  ExportState(std::size_t first, std::size_t count, MeasureState & state, std::size_t at) const
  {
    for (std::size_t i = 0; i < count; ++i)
    {
      state.SetMoments(at + i, m_Accumulators.Get(first + i));
    }
  }

  /** The moments of a saved (or merged) state. */
  static Moments
  FromState(const MeasureState & state)
  {
    if (state.Kind() != StateKind::Moments)
    {
      throw std::invalid_argument("Moments::FromState: not a moments state");
    }
    Moments moments(state.Voxels());
    for (std::size_t v = 0; v < state.Voxels(); ++v)
    {
      moments.m_Accumulators.Set(v, state.MomentsAt(v));
    }
    return moments;
  }

private:
  AccumulatorVector<MomentAccumulator> m_Accumulators;
};

} // namespace voxelkl

#endif
