// The vectorised array gives the same bits as pushing each voxel's values one by one.
#include "voxelkl/VarianceAccumulatorArray.h"

#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include <cstring>
#include <iterator>
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

// Which values a series of CheckStepsAgainstScalarPushes holds besides finite ones.
enum class Exceptions
{
  None,   // clean: every value finite
  Many,   // NaN in every 11th voxel now and then, inf in every 13th voxel's first value
  OneNaN, // one NaN, in the middle of a run and of a block
};

// PushTimePoints (several time points of a run at once, the volume traversal's push) gives
// the bits of pushing each voxel's values one by one, through its fast path (all values
// finite, equal counts: clean series) and its fall-backs (NaN, inf, a mask, unequal
// counts, a single NaN deep in a run), for float and double values, blocks of 1 to 70
// steps (beyond the kernel's 64) and runs whose lengths are and are not multiples of its
// groups of 8, 16 and 32 voxels.
template <typename T>
void
CheckStepsAgainstScalarPushes(Exceptions exceptions)
{
  constexpr std::size_t            voxels = 1037;
  constexpr std::size_t            timePoints = 203;
  std::mt19937_64                  engine(5 + static_cast<int>(exceptions));
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<T>                   values(voxels * timePoints);
  for (std::size_t t = 0; t < timePoints; ++t)
  {
    for (std::size_t v = 0; v < voxels; ++v)
    {
      T & x = values[t * voxels + v];
      x = static_cast<T>(1000.0 + v + (1.0 + v % 7) * normal(engine));
      if (v % 17 == 2)
        x = T(42); // constant
      if (exceptions == Exceptions::Many && v % 11 == 3 && t % 29 == 7)
        x = std::numeric_limits<T>::quiet_NaN();
      if (exceptions == Exceptions::Many && v % 13 == 5 && t == 0)
        x = std::numeric_limits<T>::infinity();
      if (exceptions == Exceptions::OneNaN && v == 700 && t == 52)
        x = std::numeric_limits<T>::quiet_NaN();
    }
  }
  std::vector<unsigned char> inside(voxels);
  for (std::size_t v = 0; v < voxels; ++v)
    inside[v] = v % 5 != 0;
  const std::size_t blocks[] = { 1, 2, 5, 9, 16, 64, 70, 36 }; // cycled until the series ends
  const std::size_t runs[] = { 512, 100, 37, 16, 33, 64 };
  for (const unsigned char * mask :
       { static_cast<const unsigned char *>(nullptr), static_cast<const unsigned char *>(inside.data()) })
  {
    for (const std::size_t run : runs)
    {
      voxelkl::VarianceAccumulatorArray array(voxels);
      std::size_t                       next = 0;
      for (std::size_t t = 0; t < timePoints; ++next)
      {
        const std::size_t steps = std::min(blocks[next % std::size(blocks)], timePoints - t);
        for (std::size_t first = 0; first < voxels; first += run)
        {
          const std::size_t count = std::min(run, voxels - first);
          array.PushTimePoints(
            first, count, values.data() + t * voxels + first, voxels, steps, mask ? mask + first : nullptr);
        }
        t += steps;
      }
      for (std::size_t v = 0; v < voxels; ++v)
      {
        voxelkl::VarianceAccumulator scalar;
        if (mask == nullptr || mask[v])
          for (std::size_t t = 0; t < timePoints; ++t)
            scalar.Push(static_cast<double>(values[t * voxels + v]));
        const auto fromArray = array.Get(v);
        ASSERT_TRUE(SameBits(fromArray.Count(), scalar.Count())) << v << " run " << run;
        ASSERT_TRUE(SameBits(fromArray.Mean(), scalar.Mean())) << v << " run " << run;
        ASSERT_TRUE(SameBits(fromArray.M2(), scalar.M2())) << v << " run " << run;
        ASSERT_EQ(fromArray.Skipped(), scalar.Skipped()) << v;
      }
    }
  }
}

// Runs check with every version of the fused kernel this CPU runs (2, 4 and 8 lanes),
// then goes back to the default.
template <typename TCheck>
void
ForEachUniformKernel(const TCheck & check)
{
  using voxelkl::detail::UniformKernel;
  for (const UniformKernel kernel : { UniformKernel::Portable, UniformKernel::Avx2, UniformKernel::Avx512 })
  {
    if (!voxelkl::detail::UniformKernelRuns(kernel))
    {
      std::cout << "kernel " << static_cast<int>(kernel) << " does not run on this CPU: not checked\n";
      continue;
    }
    SCOPED_TRACE("kernel " + std::to_string(static_cast<int>(kernel)));
    voxelkl::detail::UseUniformKernel(kernel);
    check();
  }
  voxelkl::detail::UseUniformKernel(UniformKernel::Avx512); // the widest this CPU runs
}

TEST(VarianceAccumulatorArray, StepsGiveTheBitsOfScalarPushesOnCleanFloatSeries)
{
  ForEachUniformKernel([] { CheckStepsAgainstScalarPushes<float>(Exceptions::None); });
}

TEST(VarianceAccumulatorArray, StepsGiveTheBitsOfScalarPushesOnCleanDoubleSeries)
{
  ForEachUniformKernel([] { CheckStepsAgainstScalarPushes<double>(Exceptions::None); });
}

TEST(VarianceAccumulatorArray, StepsGiveTheBitsOfScalarPushesWithNaNsInfAndMask)
{
  ForEachUniformKernel([] {
    CheckStepsAgainstScalarPushes<float>(Exceptions::Many);
    CheckStepsAgainstScalarPushes<double>(Exceptions::Many);
  });
}

TEST(VarianceAccumulatorArray, StepsGiveTheBitsOfScalarPushesWithOneNaNInARun)
{
  ForEachUniformKernel([] {
    CheckStepsAgainstScalarPushes<float>(Exceptions::OneNaN);
    CheckStepsAgainstScalarPushes<double>(Exceptions::OneNaN);
  });
}

} // namespace

TEST(ForEachRunInside, GivesEveryRunOfInsideFlagsOnce)
{
  // Masks of short and long runs (the eight-at-a-time scans), flags other than 1, at every
  // start and length up to 70, against a flag-by-flag scan written here.
  std::mt19937 engine(77);
  for (int mask = 0; mask < 200; ++mask)
  {
    std::vector<unsigned char> flags;
    while (flags.size() < 70)
    {
      const std::size_t run = mask % 3 == 0 ? engine() % 4 : engine() % 25;
      const bool        in = flags.empty() ? engine() % 2 == 0 : flags.back() == 0;
      for (std::size_t i = 0; i < run; ++i)
        flags.push_back(in ? static_cast<unsigned char>(1 + engine() % 255) : 0);
    }
    for (std::size_t start = 0; start < 9; ++start)
      for (std::size_t count = 0; start + count <= flags.size(); ++count)
      {
        std::vector<std::pair<std::size_t, std::size_t>> expected, runs;
        for (std::size_t i = 0; i < count; ++i)
          if (flags[start + i] != 0)
          {
            if (i > 0 && flags[start + i - 1] != 0)
              ++expected.back().second;
            else
              expected.emplace_back(i, 1);
          }
        voxelkl::detail::ForEachRunInside(flags.data() + start, count, [&](std::size_t begin, std::size_t length) {
          runs.emplace_back(begin, length);
        });
        ASSERT_EQ(runs, expected) << "mask " << mask << " start " << start << " count " << count;
      }
  }
}
