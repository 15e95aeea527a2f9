// Small in-memory 4D series for the filter tests, and independent double-precision
// reference computations written separately from the code under test.
#ifndef voxelkl_test_SeriesFixtures_h
#define voxelkl_test_SeriesFixtures_h

#include "itkImage.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace voxelkl::test
{
using Series = itk::Image<float, 4>;
using Map = itk::Image<float, 3>;

/** A series of the given size filled by fill(x, y, z, t, engine). Origin, spacing and an
 * oblique direction are set so that tests see them survive. */
template <typename TFill>
Series::Pointer
MakeSeries(const Series::SizeType & size, TFill fill, unsigned int seed = 1)
{
  auto series = Series::New();
  series->SetRegions(Series::RegionType(size));
  Series::SpacingType spacing;
  spacing[0] = 2.0;
  spacing[1] = 2.5;
  spacing[2] = 3.0;
  spacing[3] = 0.8;
  series->SetSpacing(spacing);
  Series::PointType origin;
  origin[0] = -90.0;
  origin[1] = -126.0;
  origin[2] = -72.0;
  origin[3] = 0.0;
  series->SetOrigin(origin);
  Series::DirectionType direction;
  direction.SetIdentity();
  const double angle = 0.3; // an in-plane rotation: oblique slices
  direction[0][0] = std::cos(angle);
  direction[0][1] = -std::sin(angle);
  direction[1][0] = std::sin(angle);
  direction[1][1] = std::cos(angle);
  series->SetDirection(direction);
  series->Allocate();
  std::mt19937_64   engine(seed);
  Series::IndexType index;
  for (index[3] = 0; index[3] < static_cast<long>(size[3]); ++index[3])
    for (index[2] = 0; index[2] < static_cast<long>(size[2]); ++index[2])
      for (index[1] = 0; index[1] < static_cast<long>(size[1]); ++index[1])
        for (index[0] = 0; index[0] < static_cast<long>(size[0]); ++index[0])
        {
          series->SetPixel(index, fill(index[0], index[1], index[2], index[3], engine));
        }
  return series;
}

/** A varied series: voxel-dependent mean and spread, a NaN-laced voxel and a constant one. */
inline Series::Pointer
MakeVariedSeries(const Series::SizeType & size, unsigned int seed, double spreadScale = 1.0)
{
  return MakeSeries(
    size,
    [spreadScale](long x, long y, long z, long t, std::mt19937_64 & engine) {
      if (x == 0 && y == 0 && z == 0)
      {
        return 1000.0f; // constant voxel
      }
      if (x == 1 && y == 0 && z == 0 && t % 5 == 2)
      {
        return std::numeric_limits<float>::quiet_NaN();
      }
      std::gamma_distribution<double> skewed(2.0 + x, 1.0 + 0.1 * y);
      return static_cast<float>(900.0 + 10.0 * z + spreadScale * (1.0 + 0.2 * x) * skewed(engine));
    },
    seed);
}

/** The finite values of voxel (x, y, z) over time, in double. */
inline std::vector<double>
VoxelSeries(const Series * series, long x, long y, long z)
{
  std::vector<double> values;
  Series::IndexType   index{ { x, y, z, 0 } };
  const auto          length = static_cast<long>(series->GetLargestPossibleRegion().GetSize(3));
  for (index[3] = 0; index[3] < length; ++index[3])
  {
    const double v = series->GetPixel(index);
    if (std::isfinite(v))
    {
      values.push_back(v);
    }
  }
  return values;
}

/** Two-pass moments in double: mean, ML variance, population skewness and excess kurtosis. */
struct BruteMoments
{
  double n{ 0 }, mean{ 0 }, variance{ 0 }, skewness{ 0 }, kurtosis{ 0 };
};

inline BruteMoments
BruteForceMoments(const std::vector<double> & values)
{
  BruteMoments m;
  m.n = static_cast<double>(values.size());
  if (values.empty())
  {
    return m;
  }
  for (double v : values)
  {
    m.mean += v;
  }
  m.mean /= m.n;
  double s2 = 0, s3 = 0, s4 = 0;
  for (double v : values)
  {
    const double d = v - m.mean;
    s2 += d * d;
    s3 += d * d * d;
    s4 += d * d * d * d;
  }
  m.variance = s2 / m.n;
  if (s2 > 0)
  {
    m.skewness = (s3 / m.n) / std::pow(s2 / m.n, 1.5);
    m.kurtosis = (s4 / m.n) / ((s2 / m.n) * (s2 / m.n)) - 3.0;
  }
  return m;
}

} // namespace voxelkl::test

#endif
