// The vectorised array gives the same bits as pushing each voxel's values one by one.
#include "voxelkl/VarianceAccumulatorArray.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace
{

bool
SameBits(double a, double b)
{
  return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(VarianceAccumulatorArray, BitIdenticalToScalarPushWithNaNsAndMask)
{
  constexpr std::size_t            voxels = 1037;
  constexpr std::size_t            timePoints = 57;
  std::mt19937_64                  engine(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<float>               values(voxels * timePoints);
  for (std::size_t t = 0; t < timePoints; ++t)
  {
    for (std::size_t v = 0; v < voxels; ++v)
    {
      float & x = values[t * voxels + v];
      x = static_cast<float>(1000.0 + v + (1.0 + v % 7) * normal(engine));
      if (v % 11 == 3 && t % 3 == 0)
        x = std::numeric_limits<float>::quiet_NaN();
      if (v % 13 == 5 && t == 0)
        x = -std::numeric_limits<float>::infinity(); // the first value is not finite
      if (v % 17 == 2)
        x = 42.0f; // constant
    }
  }
  std::vector<unsigned char> inside(voxels);
  for (std::size_t v = 0; v < voxels; ++v)
    inside[v] = v % 5 != 0;

  const unsigned char * masked = inside.data();
  for (const unsigned char * mask : { static_cast<const unsigned char *>(nullptr), masked })
  {
    voxelkl::VarianceAccumulatorArray array(voxels);
    for (std::size_t t = 0; t < timePoints; ++t)
    {
      // Uneven runs of voxels, as tiles and threads would split them.
      for (std::size_t first = 0; first < voxels; first += 100)
      {
        const std::size_t count = std::min<std::size_t>(100, voxels - first);
        array.PushTimePoint(first, count, values.data() + t * voxels + first, mask ? mask + first : nullptr);
      }
    }
    for (std::size_t v = 0; v < voxels; ++v)
    {
      voxelkl::VarianceAccumulator scalar;
      if (mask == nullptr || mask[v])
        for (std::size_t t = 0; t < timePoints; ++t)
          scalar.Push(values[t * voxels + v]);
      const auto fromArray = array.Get(v);
      ASSERT_TRUE(SameBits(fromArray.Count(), scalar.Count())) << v;
      ASSERT_TRUE(SameBits(fromArray.Mean(), scalar.Mean())) << v;
      ASSERT_TRUE(SameBits(fromArray.M2(), scalar.M2())) << v;
      ASSERT_EQ(fromArray.Skipped(), scalar.Skipped()) << v;
      ASSERT_EQ(fromArray.IsConstant(), scalar.IsConstant()) << v;
    }
  }
}

} // namespace
