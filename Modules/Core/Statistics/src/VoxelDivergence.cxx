#include "voxelkl/VoxelDivergence.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace voxelkl
{

double
VarianceFloor::For(double referenceMean, double generatedMean) const
{
  if (!relative)
  {
    return value;
  }
  const double level = value * std::max({ std::fabs(referenceMean), std::fabs(generatedMean), 1.0 });
  return level * level;
}

std::string
VarianceFloor::Describe() const
{
  std::ostringstream text;
  if (relative)
  {
    text << "relative: (" << value << " * max(|mean_reference|, |mean_generated|, 1))^2";
  }
  else
  {
    text << "absolute: " << value;
  }
  return text.str();
}

VoxelDivergence
GaussianVoxelDivergence(const VarianceAccumulator & reference,
                        const VarianceAccumulator & generated,
                        KLDirection                 direction,
                        const VarianceFloor &       floor)
{
  if (reference.Count() == 0.0 || generated.Count() == 0.0)
  {
    return { 0.0, VoxelStatus::NoSamples };
  }
  GaussianParameters p{ reference.Mean(), reference.Variance() };
  GaussianParameters q{ generated.Mean(), generated.Variance() };
  if (reference.IsConstant() && generated.IsConstant() && p.mean == q.mean)
  {
    return { 0.0, VoxelStatus::ConstantEqual };
  }
  const double minimum = floor.For(p.mean, q.mean);
  VoxelStatus  status = VoxelStatus::Valid;
  if (p.variance < minimum || q.variance < minimum)
  {
    status = VoxelStatus::Floored;
    p.variance = std::max(p.variance, minimum);
    q.variance = std::max(q.variance, minimum);
  }
  return { GaussianDivergence(p, q, direction), status };
}

double
VarianceLogRatio(const VarianceAccumulator & reference,
                 const VarianceAccumulator & generated,
                 const VarianceFloor &       floor)
{
  if (reference.Count() == 0.0 || generated.Count() == 0.0)
  {
    return 0.0;
  }
  const double minimum = floor.For(reference.Mean(), generated.Mean());
  return std::log(std::max(generated.Variance(), minimum) / std::max(reference.Variance(), minimum));
}

} // namespace voxelkl
