// Everything a voxel-wise comparison of two paired series accumulates, for many voxels.
#ifndef voxelkl_SeriesComparisonArray_h
#define voxelkl_SeriesComparisonArray_h

#include "voxelkl/CoMomentAccumulatorArray.h"
#include "voxelkl/VarianceAccumulatorArray.h"

#include <atomic>
#include <cstddef>
#include <mutex>
#include <type_traits>
#include <vector>

namespace voxelkl
{

namespace detail
{
/** A flag that threads pushing disjoint voxels of one array may clear at once (a relaxed
 * atomic: only its value matters); copied by value, so the array stays copyable. */
class SharedFlag
{
public:
  explicit SharedFlag(bool value)
    : m_Value(value)
  {
  }
  SharedFlag(const SharedFlag & other)
    : m_Value(other.Get())
  {
  }
  SharedFlag &
  operator=(const SharedFlag & other)
  {
    Set(other.Get());
    return *this;
  }
  bool
  Get() const
  {
    return m_Value.load(std::memory_order_relaxed);
  }
  void
  Set(bool value)
  {
    m_Value.store(value, std::memory_order_relaxed);
  }

private:
  std::atomic<bool> m_Value;
};

/** A mutex that a copy of its owner does not share: each copy gets its own. */
struct OwnMutex
{
  OwnMutex() = default;
  OwnMutex(const OwnMutex &) {}
  OwnMutex &
  operator=(const OwnMutex &)
  {
    return *this;
  }
  std::mutex mutex;
};
} // namespace detail

/** For paired series (x = reference, y = generated, the same time points): each series' own
 * moments (over its finite values: for the Gaussian KL) and the moments of the pairs where
 * both are finite (for MSE and correlation).
 *
 * Results are bit-identical to three separate updates (a VarianceAccumulatorArray per series
 * and a CoMomentAccumulatorArray). But while a voxel's values have all been finite and no mask
 * applies, the three hold the same numbers (the pairs' X and Y parts are the series'
 * moments), so only the pairs are updated: the cost of the paired maps is then little more
 * than that of the KL alone. A voxel whose run meets a non-finite value, or a mask in a push
 * of one time point, is "detached": its series moments are copied out of the pairs once, and
 * from then on the three are updated separately. (Pushes of several time points leave the
 * voxels outside a mask alone and keep the others in step.) */
class SeriesComparisonArray
{
public:
  explicit SeriesComparisonArray(std::size_t size = 0)
    : m_Pairs(size)
    , m_Detached(size, 0.0)
  {
  }

  std::size_t
  size() const
  {
    return m_Pairs.size();
  }

  /** Starts over with `size` voxels and no time point, keeping the memory of the arrays.
   * (The series' own accumulators are left as they are: a voxel's are written whole when it
   * is detached, and read only after that.) */
  void
  Reset(std::size_t size)
  {
    m_Pairs.Resize(size);
    m_Detached.assign(size, 0.0);
    m_WholeInStep.Set(true);
  }

  /** Adds (x[i], y[i]) as the next time point of voxel first + i, i < count; voxels whose
   * inside flag is 0 are left alone (inside may be null). T is float or double. */
  template <typename T>
  void
  PushTimePoint(std::size_t first, std::size_t count, const T * x, const T * y, const unsigned char * inside)
  {
    double * state[8];
    m_Pairs.State(first, state);
    // Whole-array pushes without a mask keep every count equal and detach no voxel until a
    // value is not finite: then only the values need checking.
    const bool whole = first == 0 && count == size() && inside == nullptr;
    if (whole && m_WholeInStep.Get() && detail::PushPairsKnownInStep(count, x, y, state))
    {
      return;
    }
    m_WholeInStep.Set(false);
    if (inside == nullptr && detail::PushPairsInStep(count, x, y, state, m_Detached.data() + first))
    {
      return;
    }
    Detach(first, count);
    m_Reference.PushTimePoint(first, count, x, inside);
    m_Generated.PushTimePoint(first, count, y, inside);
    m_Pairs.PushTimePoint(first, count, x, y, inside);
  }

  /** Adds `steps` consecutive time points to voxels first .. first + count: time point s
   * at x + s * stride and y + s * stride. The same bits as PushTimePoint for each step in
   * turn; while the voxels are in step, each voxel's moments stay in registers across the
   * steps (with a mask: those of the voxels inside it). */
  template <typename T>
  void
  PushTimePoints(std::size_t           first,
                 std::size_t           count,
                 const T *             x,
                 const T *             y,
                 std::ptrdiff_t        stride,
                 std::size_t           steps,
                 const unsigned char * inside)
  {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
    {
      if (inside != nullptr && stride > 0 && steps > 1)
      {
        // The voxels outside the mask are left alone, as the masked pushes leave them, and
        // stay in step: each run inside goes through the fused kernel. The bits are the
        // same, because a voxel's series moments are the same whether they are read from
        // the pairs (in step) or were accumulated apart (detached).
        detail::ForEachRunInside(inside, count, [&](std::size_t begin, std::size_t length) {
          PushTimePoints(first + begin, length, x + begin, y + begin, stride, steps, nullptr);
        });
        return;
      }
      if (inside == nullptr && stride > 0 && count > 0)
      {
        double * state[8];
        m_Pairs.State(first, state);
        const std::size_t done = detail::PushInPieces(
          count,
          steps,
          state[0][0] == 0.0,
          [&](std::size_t step, std::size_t piece) {
            const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(step) * stride;
            return detail::PushPairTimePointsInStep(detail::PairSteps<T>{
              count, x + at, y + at, static_cast<std::size_t>(stride), piece, state, m_Detached.data() + first });
          },
          [&](std::size_t step, std::size_t voxel) {
            const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(step) * stride + static_cast<std::ptrdiff_t>(voxel);
            PushTimePoint(first + voxel, count - voxel, x + at, y + at, nullptr);
          });
        x += static_cast<std::ptrdiff_t>(done) * stride;
        y += static_cast<std::ptrdiff_t>(done) * stride;
        steps -= done;
      }
    }
    for (std::size_t s = 0; s < steps; ++s)
    {
      const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(s) * stride;
      PushTimePoint(first, count, x + at, y + at, inside);
    }
  }

  VarianceAccumulator
  Reference(std::size_t v) const;
  VarianceAccumulator
  Generated(std::size_t v) const;
  PairedMoments
  Pairs(std::size_t v) const
  {
    return m_Pairs.Get(v);
  }
  void
  RawPairs(std::size_t v, CoMomentState & state) const
  {
    m_Pairs.GetRaw(v, state);
  }

  /** Puts voxel v in a saved state: the series' own moments and their pairs' (which need
   * not agree, so the voxel is detached). */
  void
  Restore(std::size_t                 v,
          const VarianceAccumulator & reference,
          const VarianceAccumulator & generated,
          const CoMomentState &       pairs);

private:
  void
  Detach(std::size_t first, std::size_t count);
  void
  AllocateSeries();

  // The series' own accumulators, allocated by the first detach: while every voxel is in
  // step (finite values, no mask or pushes of several time points) they are never needed,
  // and they would be 80 of the 152 bytes per voxel. Threads detach disjoint voxels of one
  // array at once, so the allocation is made under a lock.
  VarianceAccumulatorArray m_Reference;
  VarianceAccumulatorArray m_Generated;
  detail::OwnMutex         m_AllocationLock;
  CoMomentAccumulatorArray m_Pairs;
  std::vector<double>      m_Detached;            // 1 once the series are accumulated apart (double: SIMD checks)
  detail::SharedFlag       m_WholeInStep{ true }; // every push so far: all voxels, no mask, finite
};

} // namespace voxelkl

#endif
