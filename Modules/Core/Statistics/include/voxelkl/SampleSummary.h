// Descriptive statistics of a set of map values (pure C++).
#ifndef voxelkl_SampleSummary_h
#define voxelkl_SampleSummary_h

#include <cstddef>
#include <vector>

namespace voxelkl
{

/** Mean, population standard deviation (numpy.std), extremes and percentiles with
 * linear interpolation between order statistics (numpy.percentile's default, Hyndman &
 * Fan type 7). All zero for an empty sample. */
struct SampleSummary
{
  std::size_t count{ 0 };
  double      mean{ 0.0 };
  double      std{ 0.0 };
  double      min{ 0.0 };
  double      max{ 0.0 };
  double      p5{ 0.0 };
  double      p25{ 0.0 };
  double      median{ 0.0 };
  double      p75{ 0.0 };
  double      p95{ 0.0 };
};

/** Summarises values. Non-finite values must have been left out by the caller. A
 * percentile that falls among zeros is +0, whatever their signs. */
SampleSummary
Summarize(const std::vector<double> & values);

/** The q-th percentile (0..100) of ascending-sorted values, type 7. */
double
SortedPercentile(const std::vector<double> & sorted, double q);

} // namespace voxelkl

#endif
