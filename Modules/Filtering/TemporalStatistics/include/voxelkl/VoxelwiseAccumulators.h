// Per-voxel accumulators of a whole 3D grid, fed one volume (time point) at a time.
#ifndef voxelkl_VoxelwiseAccumulators_h
#define voxelkl_VoxelwiseAccumulators_h

#include "voxelkl/AccumulatorVector.h"
#include "voxelkl/MomentAccumulator.h"
#include "voxelkl/SeriesComparisonArray.h"
#include "voxelkl/VarianceAccumulatorArray.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace voxelkl
{

/** The accumulators of every voxel of a grid, for series read volume by volume (a
 * compressed NIfTI decompressed once from start to end, or a list of 3D files). Each voxel
 * sees its values in time order through the same storage class (and so the same kernel) as
 * in the ITK filters, so both paths give identical results.
 *
 * TStorage: VarianceAccumulatorArray (order 2, 40 bytes per voxel) or
 * AccumulatorVector<MomentAccumulator> (order 4, 72 bytes per voxel). */
template <typename TStorage>
class VoxelwiseAccumulators
{
public:
  /** mask: one flag per voxel (0 = skip), or empty for all voxels. */
  VoxelwiseAccumulators(std::size_t voxels, std::vector<unsigned char> mask)
    : m_Accumulators(voxels)
    , m_Mask(std::move(mask))
  {
  }

  /** Adds `count` consecutive volumes stored one after the other (volume-major). Runs
   * on oneTBB in the caller's task arena, split over voxel ranges; each range pushes its
   * voxels' values volume after volume, so the split does not change the result. */
  template <typename TValue>
  void
  AddVolumes(const TValue * volumes, std::size_t count)
  {
    ForEachRun([&](std::size_t first, std::size_t length, const unsigned char * inside, std::size_t voxels) {
      for (std::size_t t = 0; t < count; ++t)
      {
        m_Accumulators.PushTimePoint(first, length, volumes + t * voxels + first, inside);
      }
    });
    m_Volumes += count;
  }

  /** The same for pairs of series (TStorage = SeriesComparisonArray): x and y hold the same
   * time points of the two series. */
  template <typename TValue>
  void
  AddVolumePairs(const TValue * x, const TValue * y, std::size_t count)
  {
    ForEachRun([&](std::size_t first, std::size_t length, const unsigned char * inside, std::size_t voxels) {
      for (std::size_t t = 0; t < count; ++t)
      {
        m_Accumulators.PushTimePoint(first, length, x + t * voxels + first, y + t * voxels + first, inside);
      }
    });
    m_Volumes += count;
  }

  std::size_t
  size() const
  {
    return m_Accumulators.size();
  }
  /** The accumulators themselves (SeriesComparisonArray has several results per voxel). */
  const TStorage &
  Storage() const
  {
    return m_Accumulators;
  }
  decltype(auto)
  operator[](std::size_t voxel) const
  {
    return m_Accumulators.Get(voxel);
  }
  bool
  IsInside(std::size_t voxel) const
  {
    return m_Mask.empty() || m_Mask[voxel] != 0;
  }
  std::size_t
  VolumesAdded() const
  {
    return m_Volumes;
  }

private:
  // Runs of a few hundred voxels keep their accumulators in the L1 cache while all the
  // volumes of a block are added to them; a run's results do not depend on its length.
  template <typename TBody>
  void
  ForEachRun(const TBody & body)
  {
    const std::size_t     voxels = m_Accumulators.size();
    constexpr std::size_t run = 512;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, voxels, 8 * run), [&](const auto & range) {
      for (std::size_t first = range.begin(); first < range.end(); first += run)
      {
        const std::size_t     length = std::min(run, range.end() - first);
        const unsigned char * inside = m_Mask.empty() ? nullptr : m_Mask.data() + first;
        body(first, length, inside, voxels);
      }
    });
  }

  TStorage                   m_Accumulators;
  std::vector<unsigned char> m_Mask;
  std::size_t                m_Volumes{ 0 };
};

} // namespace voxelkl

#endif
