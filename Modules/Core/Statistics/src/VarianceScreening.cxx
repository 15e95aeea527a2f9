#include "voxelkl/VarianceScreening.h"

#include "voxelkl/KernelClones.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace voxelkl
{
namespace
{

template <typename T>
VOXELKL_INLINE_INTO_CLONES unsigned char
FlagsOf(const T * values, std::size_t count)
{
  if (count == 0)
  {
    return 0;
  }
  // Kept as integers, so that the loop is a vectorised reduction.
  const T      first = values[0];
  unsigned int varies = 0;
  unsigned int nonFinite = 0;
  for (std::size_t t = 0; t < count; ++t)
  {
    const T x = values[t];
    varies |= x != first ? 1u : 0u; // NaN != anything
    nonFinite |= !(std::fabs(x) <= std::numeric_limits<T>::max()) ? 1u : 0u;
  }
  return static_cast<unsigned char>((varies != 0 ? SeriesVaries : 0) | (nonFinite != 0 ? SeriesNonFinite : 0));
}

VOXELKL_KERNEL_CLONES unsigned char
FlagsOfFloat(const float * values, std::size_t count)
{
  return FlagsOf(values, count);
}

VOXELKL_KERNEL_CLONES unsigned char
FlagsOfDouble(const double * values, std::size_t count)
{
  return FlagsOf(values, count);
}

struct TwoPassMoments
{
  double mean;
  double variance; // maximum likelihood, as VarianceAccumulator::Variance
};

// Two passes about the first value, which keeps the sums O(spread) as Welford's shift does.
// Each sum runs in eight lanes, combined in a fixed order: one chain of additions would
// wait four cycles per value, and the compiler may not reorder a double sum itself.
constexpr std::size_t Lanes = 8;

template <typename T, typename Term>
VOXELKL_INLINE_INTO_CLONES double
SumInLanes(const T * values, std::size_t count, Term term)
{
  double      lanes[Lanes] = {};
  std::size_t t = 0;
  for (; t + Lanes <= count; t += Lanes)
  {
    for (std::size_t l = 0; l < Lanes; ++l)
    {
      lanes[l] += term(static_cast<double>(values[t + l]));
    }
  }
  for (std::size_t l = 0; t < count; ++t, ++l)
  {
    lanes[l] += term(static_cast<double>(values[t]));
  }
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

template <typename T>
VOXELKL_INLINE_INTO_CLONES TwoPassMoments
MomentsByTwoPasses(const T * values, std::size_t count)
{
  const double shift = static_cast<double>(values[0]);
  const double n = static_cast<double>(count);
  const double shiftedMean = SumInLanes(values, count, [shift](double x) { return x - shift; }) / n;
  const double squares = SumInLanes(values, count, [shift, shiftedMean](double x) {
    const double d = (x - shift) - shiftedMean;
    return d * d;
  });
  return { shift + shiftedMean, squares / n };
}

// Variances this small could lose squared deviations to underflow, which Welford and the
// two passes would lose differently.
constexpr double SmallestScreenedVariance = 1e-150;

template <typename T>
VOXELKL_INLINE_INTO_CLONES bool
Screen(const T *             reference,
       std::size_t           referenceCount,
       const T *             generated,
       std::size_t           generatedCount,
       const VarianceFloor & floor)
{
  if (referenceCount < 2 || generatedCount < 2)
  {
    return false;
  }
  const TwoPassMoments p = MomentsByTwoPasses(reference, referenceCount);
  const TwoPassMoments q = MomentsByTwoPasses(generated, generatedCount);
  const double         required = std::max(2.0 * floor.For(p.mean, q.mean), SmallestScreenedVariance);
  // Written so that a NaN (an overflowing sum of huge values) fails the screen.
  return p.variance > required && q.variance > required;
}

VOXELKL_KERNEL_CLONES bool
ScreenFloat(const float *         reference,
            std::size_t           referenceCount,
            const float *         generated,
            std::size_t           generatedCount,
            const VarianceFloor & floor)
{
  return Screen(reference, referenceCount, generated, generatedCount, floor);
}

VOXELKL_KERNEL_CLONES bool
ScreenDouble(const double *        reference,
             std::size_t           referenceCount,
             const double *        generated,
             std::size_t           generatedCount,
             const VarianceFloor & floor)
{
  return Screen(reference, referenceCount, generated, generatedCount, floor);
}

template <typename T>
VarianceAccumulator
Accumulate(const T * values, std::size_t count)
{
  VarianceAccumulator accumulator;
  for (std::size_t t = 0; t < count; ++t)
  {
    accumulator.Push(static_cast<double>(values[t]));
  }
  return accumulator;
}

} // namespace

unsigned char
SeriesFlags(const float * values, std::size_t count)
{
  return FlagsOfFloat(values, count);
}

unsigned char
SeriesFlags(const double * values, std::size_t count)
{
  return FlagsOfDouble(values, count);
}

VarianceAccumulator
ConstantSeriesAccumulator(double value, std::size_t count)
{
  // Push's first value sets the shift; each one after it has y = 0 and delta = 0 (or -0,
  // whose products add +0), so the shifted mean and M2 stay +0.
  return count == 0 ? VarianceAccumulator{}
                    : VarianceAccumulator::FromState(static_cast<double>(count), value, 0.0, 0.0, 0);
}

VarianceAccumulator
AccumulateSeries(const float * values, std::size_t count)
{
  return Accumulate(values, count);
}

VarianceAccumulator
AccumulateSeries(const double * values, std::size_t count)
{
  return Accumulate(values, count);
}

bool
SurelyValid(const float *         reference,
            std::size_t           referenceCount,
            const float *         generated,
            std::size_t           generatedCount,
            const VarianceFloor & floor)
{
  return ScreenFloat(reference, referenceCount, generated, generatedCount, floor);
}

bool
SurelyValid(const double *        reference,
            std::size_t           referenceCount,
            const double *        generated,
            std::size_t           generatedCount,
            const VarianceFloor & floor)
{
  return ScreenDouble(reference, referenceCount, generated, generatedCount, floor);
}

} // namespace voxelkl
