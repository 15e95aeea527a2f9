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

namespace
{
// The q-th percentile (type 7) of values, reordering them with selections instead of a full
// sort: a map of a million voxels is summarised several times per run.
double
SelectPercentile(std::vector<double> & values, double q)
{
  const double      position = q / 100.0 * static_cast<double>(values.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const double      fraction = position - static_cast<double>(below);
  std::nth_element(values.begin(), values.begin() + below, values.end());
  const double lower = values[below];
  if (fraction == 0.0 || below + 1 >= values.size())
  {
    return lower;
  }
  // After nth_element every later element is >= lower: the next order statistic is their minimum.
  const double upper = *std::min_element(values.begin() + below + 1, values.end());
  return lower + fraction * (upper - lower);
}
} // namespace

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
  summary.count = values.size();
  summary.mean = moments.Mean();
  summary.std = moments.StandardDeviation();
  const auto [minimum, maximum] = std::minmax_element(values.begin(), values.end());
  summary.min = *minimum;
  summary.max = *maximum;
  summary.p5 = SelectPercentile(values, 5.0);
  summary.p25 = SelectPercentile(values, 25.0);
  summary.median = SelectPercentile(values, 50.0);
  summary.p75 = SelectPercentile(values, 75.0);
  summary.p95 = SelectPercentile(values, 95.0);
  return summary;
}

} // namespace voxelkl
