// Accumulators of many voxels, one object per voxel, with the same interface as
// VarianceAccumulatorArray.
#ifndef voxelkl_AccumulatorVector_h
#define voxelkl_AccumulatorVector_h

#include <cstddef>
#include <vector>

namespace voxelkl
{

/** One accumulator (e.g. MomentAccumulator) per voxel. */
template <typename TAccumulator>
class AccumulatorVector
{
public:
  explicit AccumulatorVector(std::size_t size = 0)
    : m_Accumulators(size)
  {
  }

  std::size_t
  size() const
  {
    return m_Accumulators.size();
  }

  /** Adds values[0 .. count) as the next time point of voxels first .. first + count;
   * voxels whose inside flag is 0 are left alone (inside may be null: all inside). */
  template <typename TValue>
  void
  PushTimePoint(std::size_t first, std::size_t count, const TValue * values, const unsigned char * inside)
  {
    TAccumulator * accumulators = m_Accumulators.data() + first;
    for (std::size_t i = 0; i < count; ++i)
    {
      if (inside == nullptr || inside[i] != 0)
      {
        accumulators[i].Push(static_cast<double>(values[i]));
      }
    }
  }

  const TAccumulator &
  Get(std::size_t v) const
  {
    return m_Accumulators[v];
  }
  void
  Set(std::size_t v, const TAccumulator & accumulator)
  {
    m_Accumulators[v] = accumulator;
  }

private:
  std::vector<TAccumulator> m_Accumulators;
};

} // namespace voxelkl

#endif
