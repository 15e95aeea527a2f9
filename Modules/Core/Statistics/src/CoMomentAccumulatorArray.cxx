#include "voxelkl/CoMomentAccumulatorArray.h"

#include "voxelkl/KernelClones.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace voxelkl::detail
{
namespace
{

template <typename T>
VOXELKL_INLINE_INTO_CLONES bool
IsFinite(T value)
{
  return std::fabs(static_cast<double>(value)) <= std::numeric_limits<double>::max();
}

// Every voxel has the same number n0 > 0 of pairs, every new pair is finite, no mask: the
// update without selects. The same operations as the general kernel, so the same bits.
// (restrict on parameters: GCC ignores it on local copies of pointers, and would not
// vectorise for fear of aliasing.)
template <typename T>
VOXELKL_INLINE_INTO_CLONES void
PushUniform(std::size_t count,
            const T * __restrict x,
            const T * __restrict y,
            double * __restrict counts,
            const double * __restrict shiftsX,
            const double * __restrict shiftsY,
            double * __restrict meansX,
            double * __restrict meansY,
            double * __restrict m2X,
            double * __restrict m2Y,
            double * __restrict c)
{
  const double n = counts[0] + 1.0;
  const double w = n - 1.0;
  const double inverse = 1.0 / n; // one division for all voxels
  for (std::size_t i = 0; i < count; ++i)
  {
    const double dx = (static_cast<double>(x[i]) - shiftsX[i]) - meansX[i];
    const double dy = (static_cast<double>(y[i]) - shiftsY[i]) - meansY[i];
    const double dxN = dx * inverse;
    const double dyN = dy * inverse;
    m2X[i] += dx * dxN * w;
    m2Y[i] += dy * dyN * w;
    c[i] += dx * dyN * w;
    meansX[i] += dxN;
    meansY[i] += dyN;
    counts[i] = n;
  }
}

// The general update: a pair counts when both values are finite and the voxel is inside;
// selects instead of branches, and a voxel that takes no pair adds exact zeros.
template <bool Masked, typename T>
VOXELKL_INLINE_INTO_CLONES void
PushGeneral(std::size_t count,
            const T * __restrict x,
            const T * __restrict y,
            const unsigned char * __restrict inside,
            double * __restrict counts,
            double * __restrict shiftsX,
            double * __restrict shiftsY,
            double * __restrict meansX,
            double * __restrict meansY,
            double * __restrict m2X,
            double * __restrict m2Y,
            double * __restrict c)
{
  for (std::size_t i = 0; i < count; ++i)
  {
    const double xi = static_cast<double>(x[i]);
    const double yi = static_cast<double>(y[i]);
    const bool   take = IsFinite(xi) & IsFinite(yi) & (!Masked || inside[i] != 0);
    const double previous = counts[i];
    const double n = previous + (take ? 1.0 : 0.0);
    const bool   first = take & (previous == 0.0);
    const double shiftX = first ? xi : shiftsX[i];
    const double shiftY = first ? yi : shiftsY[i];
    const double differenceX = (xi - shiftX) - meansX[i];
    const double differenceY = (yi - shiftY) - meansY[i];
    const double dx = take ? differenceX : 0.0;
    const double dy = take ? differenceY : 0.0;
    const double inverse = 1.0 / (n > 0.0 ? n : 1.0);
    const double dxN = dx * inverse;
    const double dyN = dy * inverse;
    const double w = n - 1.0;
    m2X[i] += dx * dxN * w;
    m2Y[i] += dy * dyN * w;
    c[i] += dx * dyN * w;
    meansX[i] += dxN;
    meansY[i] += dyN;
    counts[i] = n;
    shiftsX[i] = shiftX;
    shiftsY[i] = shiftY;
  }
}

template <typename T>
VOXELKL_INLINE_INTO_CLONES void
Dispatch(std::size_t count, const T * x, const T * y, const unsigned char * inside, double * state[8])
{
  if (count == 0)
  {
    return;
  }
  if (inside != nullptr)
  {
    PushGeneral<true>(
      count, x, y, inside, state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7]);
    return;
  }
  const double first = state[0][0];
  int          exceptions = first > 0.0 ? 0 : 1;
  for (std::size_t i = 0; i < count; ++i)
  {
    exceptions |= (state[0][i] != first) | !IsFinite(x[i]) | !IsFinite(y[i]);
  }
  if (exceptions == 0)
  {
    PushUniform(count, x, y, state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7]);
  }
  else
  {
    PushGeneral<false>(
      count, x, y, inside, state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7]);
  }
}

// While every voxel of a run is in step (the same count, finite values, no mask, never
// detached: see SeriesComparisonArray), only the pairs are updated: the series' moments are
// the pairs' X and Y parts.
template <typename T>
VOXELKL_INLINE_INTO_CLONES bool
InStep(std::size_t count, const T * x, const T * y, const double * counts, const double * detached)
{
  const double first = counts[0];
  int          exceptions = 0;
  for (std::size_t i = 0; i < count; ++i)
  {
    exceptions |= (counts[i] != first) | (detached[i] != 0.0) | !IsFinite(x[i]) | !IsFinite(y[i]);
  }
  return exceptions == 0;
}

// The first pair of every voxel: what the general kernel gives for it (shifts = the values,
// count 1, means and sums +0).
template <typename T>
VOXELKL_INLINE_INTO_CLONES void
PushFirst(std::size_t count,
          const T * __restrict x,
          const T * __restrict y,
          double * __restrict counts,
          double * __restrict shiftsX,
          double * __restrict shiftsY)
{
  for (std::size_t i = 0; i < count; ++i)
  {
    shiftsX[i] = static_cast<double>(x[i]);
    shiftsY[i] = static_cast<double>(y[i]);
    counts[i] = 1.0;
  }
}

template <typename T>
VOXELKL_INLINE_INTO_CLONES bool
AllFinite(std::size_t count, const T * x, const T * y)
{
  int exceptions = 0;
  for (std::size_t i = 0; i < count; ++i)
  {
    exceptions |= !IsFinite(x[i]) | !IsFinite(y[i]);
  }
  return exceptions == 0;
}

template <typename T>
VOXELKL_INLINE_INTO_CLONES bool
DispatchInStep(std::size_t count, const T * x, const T * y, double * state[8], const double * detached)
{
  const bool inStep = detached != nullptr ? InStep(count, x, y, state[0], detached) : AllFinite(count, x, y);
  if (count == 0 || !inStep)
  {
    return false;
  }
  if (state[0][0] == 0.0)
  {
    PushFirst(count, x, y, state[0], state[1], state[2]);
  }
  else
  {
    PushUniform(count, x, y, state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7]);
  }
  return true;
}

} // namespace

VOXELKL_KERNEL_CLONES bool
PushPairsInStep(std::size_t count, const float * x, const float * y, double * state[8], const double * detached)
{
  return DispatchInStep(count, x, y, state, detached);
}

VOXELKL_KERNEL_CLONES bool
PushPairsInStep(std::size_t count, const double * x, const double * y, double * state[8], const double * detached)
{
  return DispatchInStep(count, x, y, state, detached);
}

VOXELKL_KERNEL_CLONES bool
PushPairsKnownInStep(std::size_t count, const float * x, const float * y, double * state[8])
{
  return DispatchInStep(count, x, y, state, nullptr);
}

VOXELKL_KERNEL_CLONES bool
PushPairsKnownInStep(std::size_t count, const double * x, const double * y, double * state[8])
{
  return DispatchInStep(count, x, y, state, nullptr);
}

VOXELKL_KERNEL_CLONES void
PushCoMomentTimePoint(std::size_t           count,
                      const float *         x,
                      const float *         y,
                      const unsigned char * inside,
                      double *              state[8])
{
  Dispatch(count, x, y, inside, state);
}

VOXELKL_KERNEL_CLONES void
PushCoMomentTimePoint(std::size_t           count,
                      const double *        x,
                      const double *        y,
                      const unsigned char * inside,
                      double *              state[8])
{
  Dispatch(count, x, y, inside, state);
}

} // namespace voxelkl::detail

namespace voxelkl
{

void
MergeCoMoments(CoMomentState & a, const CoMomentState & b)
{
  if (b[0] == 0.0)
  {
    return;
  }
  if (a[0] == 0.0)
  {
    std::copy(b, b + 8, a);
    return;
  }
  const double nA = a[0];
  const double nB = b[0];
  const double n = nA + nB;
  // The means of b relative to a's shifts.
  const double deltaX = (b[1] - a[1]) + (b[3] - a[3]);
  const double deltaY = (b[2] - a[2]) + (b[4] - a[4]);
  const double deltaXN = deltaX / n;
  const double deltaYN = deltaY / n;
  a[5] += b[5] + deltaX * deltaXN * nA * nB;
  a[6] += b[6] + deltaY * deltaYN * nA * nB;
  a[7] += b[7] + deltaX * deltaYN * nA * nB;
  a[3] += deltaXN * nB;
  a[4] += deltaYN * nB;
  a[0] = n;
}

} // namespace voxelkl
