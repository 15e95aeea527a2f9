// Mean and variance accumulators of many voxels at once, in a form the compiler vectorises.
#ifndef voxelkl_VarianceAccumulatorArray_h
#define voxelkl_VarianceAccumulatorArray_h

#include "voxelkl/MomentAccumulator.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace voxelkl
{

namespace detail
{
/** Adds values[0 .. count) as the next time point of count voxels whose state is in the
 * five arrays: the arithmetic of VarianceAccumulator::Push, with selects instead of
 * branches so that it vectorises. Everything is computed for every voxel, and a voxel that
 * takes no value adds exact zeros. (GCC speculates nothing that "could trap": the library
 * is built with -fno-trapping-math, which changes no rounding.) */
template <bool Masked, typename TValue>
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
inline void
PushVarianceTimePoint(std::size_t           count,
                      const TValue *        values,
                      const unsigned char * inside,
                      double * __restrict counts,
                      double * __restrict shifts,
                      double * __restrict means,
                      double * __restrict m2s,
                      double * __restrict skipped)
{
  for (std::size_t i = 0; i < count; ++i)
  {
    const double x = static_cast<double>(values[i]);
    const bool   finite = std::fabs(x) <= std::numeric_limits<double>::max(); // false for NaN and inf
    const bool   active = !Masked || inside[i] != 0;
    const bool   take = finite & active;
    const double previous = counts[i];
    const double n = previous + (take ? 1.0 : 0.0);
    const double shift = (take & (previous == 0.0)) ? x : shifts[i];
    const double difference = (x - shift) - means[i];
    const double delta = take ? difference : 0.0;
    const double deltaN = delta * (1.0 / (n > 0.0 ? n : 1.0));
    const double term = delta * deltaN * (n - 1.0);
    counts[i] = n;
    shifts[i] = shift;
    m2s[i] += term;
    means[i] += deltaN;
    skipped[i] += (active & !finite) ? 1.0 : 0.0;
  }
}

/** The kernel for float and double values, compiled for AVX-512, AVX2 and baseline x86-64
 * and chosen at run time (src/VarianceAccumulatorArray.cxx): the same IEEE operations in
 * every version, so the same bits on every machine. */
void
PushVarianceTimePoint(std::size_t count, const float * values, const unsigned char * inside, double * state[5]);
void
PushVarianceTimePoint(std::size_t count, const double * values, const unsigned char * inside, double * state[5]);

/** Most steps PushVarianceTimePointsUniform takes in one call. */
constexpr std::size_t MaxUniformSteps = 64;

/** Adds `steps` time points (time point s at values + s * stride) to voxels without a
 * mask, where every voxel has taken the same number n0 > 0 of values and every new value is
 * finite (the usual case): each voxel's mean and M2 stay in registers across the steps,
 * through the operations of PushVarianceTimePoint in the same order, so the same bits as
 * `steps` calls of it (src/VarianceStepsKernels.cxx). Returns how many voxels, from the
 * first, it updated: it stops, leaving the rest unchanged, at the first group of voxels
 * where the case does not hold. */
std::size_t
PushVarianceTimePointsUniform(std::size_t   count,
                              const float * values,
                              std::size_t   stride,
                              std::size_t   steps,
                              double *      state[5]);
std::size_t
PushVarianceTimePointsUniform(std::size_t    count,
                              const double * values,
                              std::size_t    stride,
                              std::size_t    steps,
                              double *       state[5]);

/** The piece loop of the fused pushes, for a run of `count` voxels and `steps` time points:
 * fused(step, piece) runs time points step .. step + piece (piece <= MaxUniformSteps) through
 * a fused kernel and returns how many voxels, from the first, it updated; alone(step,
 * voxel) pushes time point `step` to the run's voxels from `voxel` on, one time point at a
 * time. Where a piece stops short, the first time point of a run without values yet goes
 * alone (the fused kernels start from a first value) and the next piece is tried again;
 * otherwise the voxels it left go through the piece alone. Returns the time points done: all
 * but at most the last one, which the caller pushes. */
template <typename TFused, typename TAlone>
std::size_t
PushInPieces(std::size_t count, std::size_t steps, bool empty, const TFused & fused, const TAlone & alone)
{
  std::size_t done = 0;
  while (steps - done > 1)
  {
    const std::size_t piece = std::min(steps - done, MaxUniformSteps);
    const std::size_t updated = fused(done, piece);
    if (updated == 0 && empty)
    {
      alone(done, 0);
      done += 1;
      empty = false;
      continue;
    }
    for (std::size_t s = 0; updated < count && s < piece; ++s)
    {
      alone(done + s, updated);
    }
    done += piece;
  }
  return done;
}

/** Calls push(begin, length) for each run of consecutive voxels i < count whose inside
 * flag is not 0. The masked kernels leave the voxels outside alone, so a masked push of
 * several time points is the same as unmasked pushes of these runs, which the fused
 * kernels take. */
template <typename TPush>
void
ForEachRunInside(const unsigned char * inside, std::size_t count, const TPush & push)
{
  // Eight flags at a time where they are all inside (no zero byte) or all outside (zero):
  // a pass over a tile scans its mask for every few time points.
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  auto                    eight = [inside](std::size_t at) {
    std::uint64_t flags;
    std::memcpy(&flags, inside + at, sizeof flags);
    return flags;
  };
  for (std::size_t begin = 0; begin < count;)
  {
    std::size_t end = begin;
    while (end + 8 <= count && ((eight(end) - ones) & ~eight(end) & highs) == 0)
    {
      end += 8;
    }
    while (end < count && inside[end] != 0)
    {
      ++end;
    }
    if (end > begin)
    {
      push(begin, end - begin);
    }
    begin = end;
    while (begin + 8 <= count && eight(begin) == 0)
    {
      begin += 8;
    }
    while (begin < count && inside[begin] == 0)
    {
      ++begin;
    }
  }
}

/** The versions of PushVarianceTimePointsUniform, by vector width: 2 doubles (any x86-64,
 * any compiler), 4 (AVX2, x86-64-v3), 8 (AVX-512, x86-64-v4). Each gives the same bits. */
enum class UniformKernel
{
  Portable,
  Avx2,
  Avx512
};
/** Whether this CPU (and this build) runs `kernel`. */
bool
UniformKernelRuns(UniformKernel kernel);
/** Makes PushVarianceTimePointsUniform use `kernel` from now on, in the whole process (the
 * default is the widest this CPU runs; one it does not run means the default). For tests,
 * which compare every version's bits. */
void
UseUniformKernel(UniformKernel kernel);
} // namespace detail

/** The order-2 accumulators (VarianceAccumulator) of `size` voxels, stored as one array per
 * field so that adding a time point to a run of voxels is a vectorised loop: the Gaussian
 * KL of a whole brain is bound by this loop.
 *
 * Each voxel goes through exactly the operations of VarianceAccumulator::Push, in the same
 * order, so Get(v) is bit-identical to pushing the voxel's values one by one (tested). */
class VarianceAccumulatorArray
{
public:
  explicit VarianceAccumulatorArray(std::size_t size = 0) { Resize(size); }

  void
  Resize(std::size_t size)
  {
    m_Count.assign(size, 0.0);
    m_Shift.assign(size, 0.0);
    m_ShiftedMean.assign(size, 0.0);
    m_M2.assign(size, 0.0);
    m_Skipped.assign(size, 0.0);
  }
  std::size_t
  size() const
  {
    return m_Count.size();
  }

  /** Adds values[0 .. count) as the next time point of voxels first .. first + count.
   * inside (null: all) flags the voxels to update; the others are left alone. */
  template <typename TValue>
  void
  PushTimePoint(std::size_t first, std::size_t count, const TValue * values, const unsigned char * inside)
  {
    double * state[5] = { m_Count.data() + first,
                          m_Shift.data() + first,
                          m_ShiftedMean.data() + first,
                          m_M2.data() + first,
                          m_Skipped.data() + first };
    if constexpr (std::is_same_v<TValue, float> || std::is_same_v<TValue, double>)
    {
      detail::PushVarianceTimePoint(count, values, inside, state);
    }
    else if (inside == nullptr)
    {
      detail::PushVarianceTimePoint<false>(count, values, inside, state[0], state[1], state[2], state[3], state[4]);
    }
    else
    {
      detail::PushVarianceTimePoint<true>(count, values, inside, state[0], state[1], state[2], state[3], state[4]);
    }
  }

  /** Adds `steps` consecutive time points to voxels first .. first + count: time point s
   * at values + s * stride. The same bits as PushTimePoint for each step in turn. */
  template <typename TValue>
  void
  PushTimePoints(std::size_t           first,
                 std::size_t           count,
                 const TValue *        values,
                 std::ptrdiff_t        stride,
                 std::size_t           steps,
                 const unsigned char * inside)
  {
    if constexpr (std::is_same_v<TValue, float> || std::is_same_v<TValue, double>)
    {
      if (inside != nullptr && stride > 0 && steps > 1)
      {
        // Voxels outside the mask are left alone (the masked kernel adds exact zeros to
        // them): the same bits.
        detail::ForEachRunInside(inside, count, [&](std::size_t begin, std::size_t length) {
          PushTimePoints(first + begin, length, values + begin, stride, steps, nullptr);
        });
        return;
      }
      if (inside == nullptr && stride > 0 && count > 0)
      {
        // Where the fused kernel stops short (a NaN, unequal counts) the voxels it left go
        // through PushTimePoint (detail::PushInPieces).
        double * state[5];
        State(first, state);
        const std::size_t done = detail::PushInPieces(
          count,
          steps,
          m_Count[first] == 0.0,
          [&](std::size_t step, std::size_t piece) {
            return detail::PushVarianceTimePointsUniform(count,
                                                         values + static_cast<std::ptrdiff_t>(step) * stride,
                                                         static_cast<std::size_t>(stride),
                                                         piece,
                                                         state);
          },
          [&](std::size_t step, std::size_t voxel) {
            PushTimePoint(
              first + voxel, count - voxel, values + static_cast<std::ptrdiff_t>(step) * stride + voxel, nullptr);
          });
        values += static_cast<std::ptrdiff_t>(done) * stride;
        steps -= done;
      }
    }
    for (std::size_t s = 0; s < steps; ++s)
    {
      PushTimePoint(first, count, values + static_cast<std::ptrdiff_t>(s) * stride, inside);
    }
  }

  /** Pointers to the five fields (count, shift, shifted mean, M2, skipped) at voxel
   * first: for kernels that update these accumulators together with others. */
  void
  State(std::size_t first, double * state[5])
  {
    state[0] = m_Count.data() + first;
    state[1] = m_Shift.data() + first;
    state[2] = m_ShiftedMean.data() + first;
    state[3] = m_M2.data() + first;
    state[4] = m_Skipped.data() + first;
  }

  /** Puts voxel v in the state of a (restoring a saved state). */
  void
  Set(std::size_t v, const VarianceAccumulator & a)
  {
    const VarianceAccumulator::RawState f = a.RawFields();
    m_Count[v] = f[0];
    m_Shift[v] = f[1];
    m_ShiftedMean[v] = f[2];
    m_M2[v] = f[3];
    m_Skipped[v] = f[4];
  }

  /** The accumulator of voxel v. */
  VarianceAccumulator
  Get(std::size_t v) const
  {
    return VarianceAccumulator::FromState(
      m_Count[v], m_Shift[v], m_ShiftedMean[v], m_M2[v], static_cast<std::uint64_t>(m_Skipped[v]));
  }

private:
  std::vector<double> m_Count;
  std::vector<double> m_Shift;
  std::vector<double> m_ShiftedMean;
  std::vector<double> m_M2;
  std::vector<double> m_Skipped; // double: keeps the loop in one type for SIMD; exact to 2^53
};

} // namespace voxelkl

#endif
