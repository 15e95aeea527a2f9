#include "voxelkl/VarianceAccumulatorArray.h"

#include "voxelkl/KernelClones.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace voxelkl::detail
{
namespace
{
// Whether every voxel has already taken the same number n0 > 0 of values and every new
// value is finite: then the update needs no selects (the usual case, all but the first
// time point of a brain without NaN).
template <typename TValue>
VOXELKL_INLINE_INTO_CLONES bool
CountsEqualAndValuesFinite(std::size_t count, const TValue * values, const double * counts)
{
  const double first = counts[0];
  int          exceptions = first > 0.0 ? 0 : 1;
  for (std::size_t i = 0; i < count; ++i)
  {
    const double x = static_cast<double>(values[i]);
    exceptions |= (counts[i] != first) | !(std::fabs(x) <= std::numeric_limits<double>::max());
  }
  return exceptions == 0;
}

// The update of PushVarianceTimePoint for that case: the same operations in the same order
// (shift kept, n = n0 + 1 for every voxel), so the same bits.
template <typename TValue>
VOXELKL_INLINE_INTO_CLONES void
PushFiniteUniform(std::size_t count, const TValue * values, double * state[5])
{
  double * const __restrict counts = state[0];
  const double * const __restrict shifts = state[1];
  double * const __restrict means = state[2];
  double * const __restrict m2s = state[3];
  const double n = counts[0] + 1.0;
  const double inverse = 1.0 / n;
  for (std::size_t i = 0; i < count; ++i)
  {
    const double delta = (static_cast<double>(values[i]) - shifts[i]) - means[i];
    const double deltaN = delta * inverse;
    m2s[i] += delta * deltaN * (n - 1.0);
    means[i] += deltaN;
    counts[i] = n;
  }
}

// Steps of one PushVarianceTimePointsUniform call: their n and 1/n are kept on the stack.
constexpr std::size_t MaxSteps = MaxUniformSteps;

// Whether every voxel has taken the same number n0 > 0 of values and every value of the
// steps is finite.
template <typename TValue>
VOXELKL_INLINE_INTO_CLONES bool
CountsEqualAndStepsFinite(std::size_t    count,
                          const TValue * values,
                          std::size_t    stride,
                          std::size_t    steps,
                          const double * counts)
{
  const double first = counts[0];
  int          exceptions = first > 0.0 ? 0 : 1;
  for (std::size_t i = 0; i < count; ++i)
  {
    exceptions |= counts[i] != first;
  }
  for (std::size_t s = 0; s < steps; ++s)
  {
    const TValue * step = values + s * stride;
    for (std::size_t i = 0; i < count; ++i)
    {
      exceptions |= !(std::fabs(step[i]) <= std::numeric_limits<TValue>::max()); // NaN, inf
    }
  }
  return exceptions == 0;
}

// Eight doubles, and eight values of the series' type, as GCC and clang vector types: the
// kernel below is written once for 8 lanes and each clone compiles it for its registers.
using Doubles = double __attribute__((vector_size(64)));
template <typename TValue>
struct EightValues;
template <>
struct EightValues<float>
{
  using Type = float __attribute__((vector_size(32)));
};
template <>
struct EightValues<double>
{
  using Type = Doubles;
};

// PushFiniteUniform over `steps` time points (at most MaxSteps): for 16 voxels at a time,
// their shift, mean and M2 are loaded once, go through the steps in registers, and are
// stored once. Per voxel and step: delta = (x - shift) - mean, deltaN = delta * (1 / n),
// M2 += delta * deltaN * (n - 1), mean += deltaN, exactly as in PushFiniteUniform.
template <typename TValue>
VOXELKL_INLINE_INTO_CLONES void
PushFiniteUniformSteps(std::size_t    count,
                       const TValue * values,
                       std::size_t    stride,
                       std::size_t    steps,
                       double *       state[5])
{
  double * const __restrict counts = state[0];
  const double * const __restrict shifts = state[1];
  double * const __restrict means = state[2];
  double * const __restrict m2s = state[3];
  double n = counts[0];
  double inverses[MaxSteps];
  double previousCounts[MaxSteps]; // n - 1 of each step
  for (std::size_t s = 0; s < steps; ++s)
  {
    n = n + 1.0;
    inverses[s] = 1.0 / n;
    previousCounts[s] = n - 1.0;
  }
  std::size_t i = 0;
  for (; i + 16 <= count; i += 16)
  {
    Doubles shift0, shift1, mean0, mean1, m20, m21;
    std::memcpy(&shift0, shifts + i, sizeof(Doubles));
    std::memcpy(&shift1, shifts + i + 8, sizeof(Doubles));
    std::memcpy(&mean0, means + i, sizeof(Doubles));
    std::memcpy(&mean1, means + i + 8, sizeof(Doubles));
    std::memcpy(&m20, m2s + i, sizeof(Doubles));
    std::memcpy(&m21, m2s + i + 8, sizeof(Doubles));
    for (std::size_t s = 0; s < steps; ++s)
    {
      // The next run's values of this step (the traversal's next run starts where this
      // one ends): fetched while this run computes. A prefetch never faults.
      __builtin_prefetch(reinterpret_cast<const void *>(reinterpret_cast<std::uintptr_t>(values + s * stride + i) +
                                                        count * sizeof(TValue)));
      typename EightValues<TValue>::Type raw0, raw1;
      std::memcpy(&raw0, values + s * stride + i, sizeof(raw0));
      std::memcpy(&raw1, values + s * stride + i + 8, sizeof(raw1));
      const Doubles x0 = __builtin_convertvector(raw0, Doubles);
      const Doubles x1 = __builtin_convertvector(raw1, Doubles);
      const Doubles delta0 = (x0 - shift0) - mean0;
      const Doubles delta1 = (x1 - shift1) - mean1;
      const Doubles deltaN0 = delta0 * inverses[s];
      const Doubles deltaN1 = delta1 * inverses[s];
      m20 += delta0 * deltaN0 * previousCounts[s];
      m21 += delta1 * deltaN1 * previousCounts[s];
      mean0 += deltaN0;
      mean1 += deltaN1;
    }
    std::memcpy(means + i, &mean0, sizeof(Doubles));
    std::memcpy(means + i + 8, &mean1, sizeof(Doubles));
    std::memcpy(m2s + i, &m20, sizeof(Doubles));
    std::memcpy(m2s + i + 8, &m21, sizeof(Doubles));
  }
  for (; i < count; ++i) // the run's last voxels, one by one
  {
    double mean = means[i];
    double m2 = m2s[i];
    for (std::size_t s = 0; s < steps; ++s)
    {
      const double delta = (static_cast<double>(values[s * stride + i]) - shifts[i]) - mean;
      const double deltaN = delta * inverses[s];
      m2 += delta * deltaN * previousCounts[s];
      mean += deltaN;
    }
    means[i] = mean;
    m2s[i] = m2;
  }
  for (std::size_t v = 0; v < count; ++v)
  {
    counts[v] = n;
  }
}

template <typename TValue>
VOXELKL_INLINE_INTO_CLONES bool
DispatchSteps(std::size_t count, const TValue * values, std::size_t stride, std::size_t steps, double * state[5])
{
  if (count == 0 || steps == 0 || steps > MaxSteps ||
      !CountsEqualAndStepsFinite(count, values, stride, steps, state[0]))
  {
    return false;
  }
  PushFiniteUniformSteps(count, values, stride, steps, state);
  return true;
}

template <typename TValue>
VOXELKL_INLINE_INTO_CLONES void
Dispatch(std::size_t count, const TValue * values, const unsigned char * inside, double * state[5])
{
  if (count == 0)
  {
    return;
  }
  if (inside == nullptr)
  {
    if (CountsEqualAndValuesFinite(count, values, state[0]))
    {
      PushFiniteUniform(count, values, state);
    }
    else
    {
      PushVarianceTimePoint<false>(count, values, inside, state[0], state[1], state[2], state[3], state[4]);
    }
  }
  else
  {
    PushVarianceTimePoint<true>(count, values, inside, state[0], state[1], state[2], state[3], state[4]);
  }
}
} // namespace

VOXELKL_KERNEL_CLONES void
PushVarianceTimePoint(std::size_t count, const float * values, const unsigned char * inside, double * state[5])
{
  Dispatch(count, values, inside, state);
}

VOXELKL_KERNEL_CLONES void
PushVarianceTimePoint(std::size_t count, const double * values, const unsigned char * inside, double * state[5])
{
  Dispatch(count, values, inside, state);
}

VOXELKL_KERNEL_CLONES bool
PushVarianceTimePointsUniform(std::size_t   count,
                              const float * values,
                              std::size_t   stride,
                              std::size_t   steps,
                              double *      state[5])
{
  return DispatchSteps(count, values, stride, steps, state);
}

VOXELKL_KERNEL_CLONES bool
PushVarianceTimePointsUniform(std::size_t    count,
                              const double * values,
                              std::size_t    stride,
                              std::size_t    steps,
                              double *       state[5])
{
  return DispatchSteps(count, values, stride, steps, state);
}

} // namespace voxelkl::detail
