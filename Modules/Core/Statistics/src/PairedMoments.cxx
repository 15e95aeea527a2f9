#include "voxelkl/PairedMoments.h"

#include <algorithm>
#include <cmath>

namespace voxelkl
{

double
PairedMoments::SumSquaredDifference() const
{
  if (count == 0.0)
  {
    return 0.0;
  }
  const double difference = meanX - meanY;
  // M2x + M2y - 2C is the sum of squares of the centred differences: never negative, but
  // rounding can take it just below 0 when x and y are nearly equal.
  return count * difference * difference + std::max(0.0, m2X + m2Y - 2.0 * c);
}

double
PairedMoments::MeanSquaredError() const
{
  return count > 0.0 ? SumSquaredDifference() / count : 0.0;
}

bool
PairedMoments::HasCorrelation() const
{
  return count >= 2.0 && m2X > 0.0 && m2Y > 0.0;
}

double
PairedMoments::Correlation(double undefined) const
{
  if (!HasCorrelation())
  {
    return undefined;
  }
  return std::clamp(c / std::sqrt(m2X * m2Y), -1.0, 1.0);
}

} // namespace voxelkl
