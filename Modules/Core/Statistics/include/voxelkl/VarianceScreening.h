// What a non-parametric map needs of the Gaussian treatment, found without a Welford
// accumulator for every voxel (pure C++).
//
// A non-parametric estimate replaces the Gaussian KL wherever both series are above the
// variance floor (status Valid); elsewhere the Gaussian closed form and its status stay. The
// Gaussian pass over a whole tile costs a tenth of a k-NN map, yet its result is thrown
// away at every Valid voxel. These helpers let the k-NN and histogram maps skip it:
//   - a series' flags say whether it varies or holds a non-finite value (SeriesFlags): a
//     series whose values all have its first value's bits takes its first value's flags;
//   - an exactly constant finite series has a known accumulator (ConstantSeriesAccumulator);
//   - a varying series is screened by two-pass moments (SurelyValid) and only the voxels
//     the screen cannot decide are accumulated exactly (AccumulateSeries).
// Every path gives the bits the Welford pass would have given.
#ifndef voxelkl_VarianceScreening_h
#define voxelkl_VarianceScreening_h

#include "voxelkl/MomentAccumulator.h"
#include "voxelkl/VoxelDivergence.h"

#include <cstddef>

namespace voxelkl
{

/** Bits of a voxel's series flags. */
enum SeriesFlag : unsigned char
{
  SeriesVaries = 1,   ///< some value differs from the first one
  SeriesNonFinite = 2 ///< some value is NaN or infinite
};

/** The flags of the series values[0 .. count): SeriesVaries where some value != values[0]
 * (a NaN differs from everything, itself included), SeriesNonFinite where some value is
 * NaN or infinite; 0 for an empty series. A series whose values all have the bits of its
 * first value has the flags of that value alone (SeriesFlags(values, 1)). Vectorised. */
unsigned char
SeriesFlags(const float * values, std::size_t count);
unsigned char
SeriesFlags(const double * values, std::size_t count);

/** The accumulator that pushing the finite value `value` `count` times gives, bit for bit:
 * the first value is the shift, and every later value adds exact zeros. */
VarianceAccumulator
ConstantSeriesAccumulator(double value, std::size_t count);

/** The accumulator of values[0 .. count) pushed in order (VarianceAccumulator::Push). */
VarianceAccumulator
AccumulateSeries(const float * values, std::size_t count);
VarianceAccumulator
AccumulateSeries(const double * values, std::size_t count);

/** Whether GaussianVoxelDivergence of the two series' accumulators is sure to return
 * Valid, for series whose values are all finite. Decided from two-pass moments about each
 * series' first value (vectorised, unlike Welford's chain from one value to the next):
 * true when both variances exceed twice the floor computed from the two-pass means, and
 * 1e-150 (no squared deviation underflows). The two methods differ by ~count * 1e-16
 * relative, far inside the factor 2, so true implies Valid; false only means "accumulate
 * exactly", and is returned for empty and single-sample series. */
bool
SurelyValid(const float *         reference,
            std::size_t           referenceCount,
            const float *         generated,
            std::size_t           generatedCount,
            const VarianceFloor & floor);
bool
SurelyValid(const double *        reference,
            std::size_t           referenceCount,
            const double *        generated,
            std::size_t           generatedCount,
            const VarianceFloor & floor);

} // namespace voxelkl

#endif
