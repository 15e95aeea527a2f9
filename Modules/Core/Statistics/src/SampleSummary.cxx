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
// sort: a map of a million voxels is summarised several times per run. Only [first, last)
// is selected in: the caller guarantees that the wanted order statistic lies there and that
// every value after `last` is at least every value in it (an earlier selection at last - 1).
double
SelectPercentile(std::vector<double> & values, double q, std::size_t first, std::size_t last)
{
  const double      position = q / 100.0 * static_cast<double>(values.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const double      fraction = position - static_cast<double>(below);
  std::nth_element(values.begin() + first, values.begin() + below, values.begin() + last);
  const double lower = values[below];
  if (fraction == 0.0 || below + 1 >= values.size())
  {
    return lower;
  }
  // Every later element is >= lower: the next order statistic is their minimum, in
  // [below + 1, last) when that is not empty, else among the values after last.
  const auto   from = values.begin() + (below + 1 < last ? below + 1 : last);
  const auto   to = below + 1 < last ? values.begin() + last : values.end();
  const double upper = *std::min_element(from, to);
  return lower + fraction * (upper - lower);
}

// The index of the q-th percentile's lower order statistic.
std::size_t
Below(std::size_t count, double q)
{
  return static_cast<std::size_t>(std::floor(q / 100.0 * static_cast<double>(count - 1)));
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
  // The median first, then each quartile within its half and each outer percentile within
  // its quarter: every selection after the first runs over a part of the values.
  const std::size_t n = values.size();
  summary.median = SelectPercentile(values, 50.0, 0, n);
  const std::size_t median = Below(n, 50.0);
  summary.p25 = SelectPercentile(values, 25.0, 0, median + 1);
  summary.p75 = SelectPercentile(values, 75.0, median, n);
  summary.p5 = SelectPercentile(values, 5.0, 0, Below(n, 25.0) + 1);
  summary.p95 = SelectPercentile(values, 95.0, Below(n, 75.0), n);
  return summary;
}

} // namespace voxelkl
