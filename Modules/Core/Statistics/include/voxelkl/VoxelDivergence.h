// The Gaussian KL of one voxel from its two accumulated time series, with the documented
// treatment of voxels whose variance is zero (pure C++).
#ifndef voxelkl_VoxelDivergence_h
#define voxelkl_VoxelDivergence_h

#include "voxelkl/GaussianKL.h"
#include "voxelkl/MomentAccumulator.h"

#include <cstdint>
#include <string>

namespace voxelkl
{

/** What happened at a voxel; written as a label map and counted in summaries. */
enum class VoxelStatus : std::uint8_t
{
  OutsideMask = 0,   ///< not computed; KL written as 0
  Valid = 1,         ///< both variances above the floor: the plain closed form
  ConstantEqual = 2, ///< both series are the same constant: KL = 0 exactly
  Floored = 3,       ///< a variance was below the floor and was raised to it
  NoSamples = 4      ///< a series has no finite sample here; KL written as 0
};

/** The smallest variance a Gaussian KL is computed with. The closed form is infinite when
 * a variance is 0 (a constant series, e.g. outside the head), so every variance below the
 * floor is raised to it. Relative (default): floor = (factor * max(|mean_ref|, |mean_gen|, 1))^2,
 * a spread of one part in 1/factor of the signal level. Absolute: the given value. */
struct VarianceFloor
{
  bool   relative{ true };
  double value{ 1e-6 };

  static VarianceFloor
  Relative(double factor)
  {
    return { true, factor };
  }
  static VarianceFloor
  Absolute(double variance)
  {
    return { false, variance };
  }
  double
  For(double referenceMean, double generatedMean) const;
  std::string
  Describe() const;
};

struct VoxelDivergence
{
  double      value;
  VoxelStatus status;
};

/** KL of the given direction between the Gaussians fitted (maximum likelihood) to the
 * reference and generated samples of one voxel. Always finite. */
VoxelDivergence
GaussianVoxelDivergence(const VarianceAccumulator & reference,
                        const VarianceAccumulator & generated,
                        KLDirection                 direction,
                        const VarianceFloor &       floor);

/** ln(var_generated / var_reference), the variances (maximum likelihood) raised to the
 * same floor as the KL, so that a constant voxel gives a finite value (0 where both are
 * constant). 0 where a series has no finite sample. */
double
VarianceLogRatio(const VarianceAccumulator & reference,
                 const VarianceAccumulator & generated,
                 const VarianceFloor &       floor);

} // namespace voxelkl

#endif
