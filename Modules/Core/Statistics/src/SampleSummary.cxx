#include "voxelkl/SampleSummary.h"

#include "voxelkl/MomentAccumulator.h"

#include <algorithm>
#include <cmath>

namespace voxelkl
{

double
SortedPercentile(const std::vector<double> & sorted, double q)
{
  if (sorted.empty())
  {
    return 0.0;
  }
  const double      position = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double      fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

SampleSummary
Summarize(std::vector<double> values)
{
  SampleSummary summary;
  if (values.empty())
  {
    return summary;
  }
  VarianceAccumulator moments;
  for (const double value : values)
  {
    moments.Push(value);
  }
  std::sort(values.begin(), values.end());
  summary.count = values.size();
  summary.mean = moments.Mean();
  summary.std = moments.StandardDeviation();
  summary.min = values.front();
  summary.max = values.back();
  summary.p5 = SortedPercentile(values, 5.0);
  summary.p25 = SortedPercentile(values, 25.0);
  summary.median = SortedPercentile(values, 50.0);
  summary.p75 = SortedPercentile(values, 75.0);
  summary.p95 = SortedPercentile(values, 95.0);
  return summary;
}

} // namespace voxelkl
