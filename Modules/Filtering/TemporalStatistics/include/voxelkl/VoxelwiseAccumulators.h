// Per-voxel accumulators of a whole 3D grid, fed one volume (time point) at a time.
#ifndef voxelkl_VoxelwiseAccumulators_h
#define voxelkl_VoxelwiseAccumulators_h

#include "voxelkl/TemporalKernels.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstddef>
#include <vector>

namespace voxelkl
{

/** The accumulators of every voxel of a grid, for series read volume by volume (a
 * compressed NIfTI decompressed once from start to end, or a list of 3D files). Each voxel
 * sees its values in time order through the same PushTimePoint kernel as the ITK filters,
 * so both paths give identical results.
 *
 * Memory: one accumulator per voxel (40 bytes for order 2, 72 for order 4). */
template <typename TAccumulator>
class VoxelwiseAccumulators
{
public:
  /** mask: one flag per voxel (0 = skip), or empty for all voxels. */
  VoxelwiseAccumulators(std::size_t voxels, std::vector<unsigned char> mask)
    : m_Accumulators(voxels)
    , m_Mask(std::move(mask))
  {}

  /** Adds `count` consecutive volumes stored one after the other (volume-major). Runs
   * on oneTBB in the caller's task arena, split over voxel ranges; each range pushes its
   * voxels' values volume after volume, so the split does not change the result. */
  template <typename TValue>
  void
  AddVolumes(const TValue * volumes, std::size_t count)
  {
    const std::size_t voxels = m_Accumulators.size();
    // Ranges of a few thousand voxels keep their accumulators in cache across the volumes.
    constexpr std::size_t grain = 4096;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, voxels, grain), [&](const auto & range) {
      const std::size_t     first = range.begin();
      const std::size_t     length = range.end() - first;
      const unsigned char * inside = m_Mask.empty() ? nullptr : m_Mask.data() + first;
      for (std::size_t t = 0; t < count; ++t)
      {
        PushTimePoint(m_Accumulators.data() + first, volumes + t * voxels + first, length, inside);
      }
    });
    m_Volumes += count;
  }

  std::size_t
  size() const
  {
    return m_Accumulators.size();
  }
  const TAccumulator &
  operator[](std::size_t voxel) const
  {
    return m_Accumulators[voxel];
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
  std::vector<TAccumulator>  m_Accumulators;
  std::vector<unsigned char> m_Mask;
  std::size_t                m_Volumes{ 0 };
};

} // namespace voxelkl

#endif
