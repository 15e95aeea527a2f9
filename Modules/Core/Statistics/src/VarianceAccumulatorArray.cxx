#include "voxelkl/VarianceAccumulatorArray.h"

#include "voxelkl/KernelClones.h"

#include <cmath>
#include <cstdint>
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

} // namespace voxelkl::detail
