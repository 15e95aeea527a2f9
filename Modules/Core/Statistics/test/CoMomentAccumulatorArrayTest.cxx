// Paired moments against a brute-force long double computation over the finite pairs, and
// the same bits whatever the runs of voxels the pairs are pushed in.
#include "voxelkl/CoMomentAccumulatorArray.h"
#include "voxelkl/SeriesComparisonArray.h"
#include "voxelkl/VarianceAccumulatorArray.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <thread>
#include <vector>

namespace
{
constexpr std::size_t Voxels = 301;
constexpr std::size_t TimePoints = 83;

struct PairSeries
{
  std::vector<float> x, y; // time-major: [t * Voxels + v]
};

// Pairs with missing values in many voxels, or (sparse) in two voxels only, so that most
// runs stay in step.
PairSeries
MakePairs(bool sparse = false)
{
  PairSeries                       s;
  std::mt19937_64                  engine(9);
  std::normal_distribution<double> normal(0.0, 1.0);
  const float                      nan = std::numeric_limits<float>::quiet_NaN();
  for (std::size_t t = 0; t < TimePoints; ++t)
  {
    for (std::size_t v = 0; v < Voxels; ++v)
    {
      const double common = normal(engine);
      // Around 1e4 with a voxel-dependent correlation between x and y.
      double x = 1e4 + v + (1.0 + v % 5) * common;
      double y = 1e4 + v + 0.5 + (v % 3) * common + normal(engine);
      if (sparse ? v == 150 && t == 40 : v % 17 == 3 && t % 5 == 1)
        x = nan; // x missing
      if (sparse ? v == 260 && t == 3 : v % 19 == 4 && t % 7 == 0)
        y = nan; // y missing (first pair of these voxels too)
      if (v % 23 == 5)
        y = 42.0f; // constant y: no correlation
      s.x.push_back(static_cast<float>(x));
      s.y.push_back(static_cast<float>(y));
    }
  }
  return s;
}

TEST(CoMomentAccumulatorArray, MatchesBruteForceOverFinitePairs)
{
  const PairSeries                  s = MakePairs();
  voxelkl::CoMomentAccumulatorArray array(Voxels);
  for (std::size_t t = 0; t < TimePoints; ++t)
  {
    array.PushTimePoint(0, Voxels, s.x.data() + t * Voxels, s.y.data() + t * Voxels, nullptr);
  }
  for (std::size_t v = 0; v < Voxels; ++v)
  {
    std::vector<long double> xs, ys;
    for (std::size_t t = 0; t < TimePoints; ++t)
    {
      const float x = s.x[t * Voxels + v], y = s.y[t * Voxels + v];
      if (std::isfinite(x) && std::isfinite(y))
      {
        xs.push_back(x);
        ys.push_back(y);
      }
    }
    const long double n = xs.size();
    long double       mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0, squared = 0;
    for (std::size_t i = 0; i < xs.size(); ++i)
    {
      mx += xs[i] / n;
      my += ys[i] / n;
      squared += (xs[i] - ys[i]) * (xs[i] - ys[i]) / n;
    }
    for (std::size_t i = 0; i < xs.size(); ++i)
    {
      sxx += (xs[i] - mx) * (xs[i] - mx);
      syy += (ys[i] - my) * (ys[i] - my);
      sxy += (xs[i] - mx) * (ys[i] - my);
    }
    const auto m = array.Get(v);
    ASSERT_EQ(m.count, static_cast<double>(n)) << v;
    EXPECT_NEAR(m.meanX, static_cast<double>(mx), 1e-12 * 1e4);
    EXPECT_NEAR(m.meanY, static_cast<double>(my), 1e-12 * 1e4);
    EXPECT_NEAR(m.m2X, static_cast<double>(sxx), 1e-11 * std::max(1.0L, sxx));
    EXPECT_NEAR(m.m2Y, static_cast<double>(syy), 1e-11 * std::max(1.0L, syy));
    EXPECT_NEAR(m.c, static_cast<double>(sxy), 1e-11 * std::max(1.0L, std::fabs(sxy)));
    EXPECT_NEAR(m.MeanSquaredError(), static_cast<double>(squared), 1e-11 * std::max(1.0L, squared)) << v;
    if (v % 23 == 5)
    {
      EXPECT_EQ(m.m2Y, 0.0);
      EXPECT_FALSE(m.HasCorrelation());
      EXPECT_EQ(m.Correlation(0.0), 0.0);
      EXPECT_TRUE(std::isnan(m.Correlation(std::numeric_limits<double>::quiet_NaN())));
    }
    else
    {
      EXPECT_NEAR(m.Correlation(0.0), static_cast<double>(sxy / std::sqrt(sxx * syy)), 1e-12) << v;
    }
  }
}

TEST(CoMomentAccumulatorArray, SameBitsForAnyRunsAndMask)
{
  const PairSeries                  s = MakePairs();
  voxelkl::CoMomentAccumulatorArray whole(Voxels), single(Voxels), masked(Voxels);
  std::vector<unsigned char>        inside(Voxels, 1);
  for (std::size_t t = 0; t < TimePoints; ++t)
  {
    const float * x = s.x.data() + t * Voxels;
    const float * y = s.y.data() + t * Voxels;
    whole.PushTimePoint(0, Voxels, x, y, nullptr); // NaN in the run: the general kernel
    for (std::size_t v = 0; v < Voxels; ++v)
    {
      single.PushTimePoint(v, 1, x + v, y + v, nullptr); // mostly the uniform kernel
    }
    masked.PushTimePoint(0, Voxels, x, y, inside.data()); // the masked kernel
  }
  for (std::size_t v = 0; v < Voxels; ++v)
  {
    const auto a = whole.Get(v), b = single.Get(v), c = masked.Get(v);
    EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << v;
    EXPECT_EQ(std::memcmp(&a, &c, sizeof a), 0) << v;
  }
}

TEST(SeriesComparisonArray, BitIdenticalToSeparateUpdates)
{
  // Some runs meet a NaN (detached), others stay in step; runs of 16 voxels, and a mask.
  const PairSeries           s = MakePairs();
  std::vector<unsigned char> inside(Voxels);
  for (std::size_t v = 0; v < Voxels; ++v)
    inside[v] = v % 7 != 0;
  for (const unsigned char * mask :
       { static_cast<const unsigned char *>(nullptr), static_cast<const unsigned char *>(inside.data()) })
  {
    voxelkl::SeriesComparisonArray    together(Voxels);
    voxelkl::CoMomentAccumulatorArray pairs(Voxels);
    voxelkl::VarianceAccumulatorArray x(Voxels), y(Voxels);
    for (std::size_t t = 0; t < TimePoints; ++t)
    {
      const float * xs = s.x.data() + t * Voxels;
      const float * ys = s.y.data() + t * Voxels;
      for (std::size_t first = 0; first < Voxels; first += 16)
      {
        const std::size_t     count = std::min<std::size_t>(16, Voxels - first);
        const unsigned char * in = mask ? mask + first : nullptr;
        together.PushTimePoint(first, count, xs + first, ys + first, in);
        x.PushTimePoint(first, count, xs + first, in);
        y.PushTimePoint(first, count, ys + first, in);
        pairs.PushTimePoint(first, count, xs + first, ys + first, in);
      }
    }
    for (std::size_t v = 0; v < Voxels; ++v)
    {
      const auto a = together.Pairs(v), b = pairs.Get(v);
      EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0) << v;
      for (const auto & [p, q] :
           { std::pair{ together.Reference(v), x.Get(v) }, std::pair{ together.Generated(v), y.Get(v) } })
      {
        const double values[] = { p.Count(), p.Mean(), p.M2() }, expected[] = { q.Count(), q.Mean(), q.M2() };
        EXPECT_EQ(std::memcmp(values, expected, sizeof values), 0) << v;
        EXPECT_EQ(p.Skipped(), q.Skipped()) << v;
      }
    }
  }
}

TEST(SeriesComparisonArray, ThreadsDetachingAtOnceGiveTheBitsOfOneThread)
{
  // The series' own accumulators are allocated by the first detach. Two threads push
  // disjoint halves of one array, with NaNs (detaching) in both halves from the first time
  // point on, so that both may allocate at once. The bits are checked against one thread
  // and against separate updates; built with -fsanitize=thread, the test also checks the
  // allocation's lock (it reports a data race without it).
  const PairSeries                  s = MakePairs();
  voxelkl::SeriesComparisonArray    shared(Voxels);
  voxelkl::SeriesComparisonArray    alone(Voxels);
  voxelkl::VarianceAccumulatorArray x(Voxels), y(Voxels);
  constexpr std::size_t             Half = Voxels / 2;
  auto push = [&](voxelkl::SeriesComparisonArray & array, std::size_t first, std::size_t count) {
    for (std::size_t t = 0; t < TimePoints; ++t)
      array.PushTimePoint(first, count, s.x.data() + t * Voxels + first, s.y.data() + t * Voxels + first, nullptr);
  };
  for (int round = 0; round < 20; ++round)
  {
    shared.Reset(Voxels);
    std::thread low([&] { push(shared, 0, Half); });
    std::thread high([&] { push(shared, Half, Voxels - Half); });
    low.join();
    high.join();
    if (round == 0)
    {
      push(alone, 0, Voxels);
      for (std::size_t t = 0; t < TimePoints; ++t)
      {
        x.PushTimePoint(0, Voxels, s.x.data() + t * Voxels, nullptr);
        y.PushTimePoint(0, Voxels, s.y.data() + t * Voxels, nullptr);
      }
    }
    for (std::size_t v = 0; v < Voxels; ++v)
    {
      const auto a = shared.Pairs(v), b = alone.Pairs(v);
      ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "round " << round << " voxel " << v;
      for (const auto & [p, q] :
           { std::pair{ shared.Reference(v), x.Get(v) }, std::pair{ shared.Generated(v), y.Get(v) } })
      {
        const double values[] = { p.Count(), p.Mean(), p.M2() }, expected[] = { q.Count(), q.Mean(), q.M2() };
        ASSERT_EQ(std::memcmp(values, expected, sizeof values), 0) << "round " << round << " voxel " << v;
      }
    }
  }
}

// Several time points at once (the fused kernel while runs are in step, time point by time
// point where they are not) give the bits of one time point at a time: runs that stay in
// step, runs that meet a NaN at any step of a piece, the first time point inside a piece,
// blocks of 1 to 70 time points (pieces of at most 64), runs of 1 to 301 voxels (tails of
// every length), with and without a mask, with every vector width this CPU runs.
void
CheckStepsAgainstOneTimePointAtATime(const PairSeries & s)
{
  std::vector<unsigned char> inside(Voxels);
  for (std::size_t v = 0; v < Voxels; ++v)
    inside[v] = v % 7 != 0;
  using voxelkl::detail::UniformKernel;
  for (const UniformKernel kernel : { UniformKernel::Portable, UniformKernel::Avx2, UniformKernel::Avx512 })
  {
    if (!voxelkl::detail::UniformKernelRuns(kernel))
    {
      continue; // not on this CPU
    }
    voxelkl::detail::UseUniformKernel(kernel);
    for (const unsigned char * mask :
         { static_cast<const unsigned char *>(nullptr), static_cast<const unsigned char *>(inside.data()) })
    {
      for (const std::size_t run : { std::size_t{ 301 }, std::size_t{ 64 }, std::size_t{ 37 }, std::size_t{ 1 } })
      {
        voxelkl::SeriesComparisonArray steps(Voxels);
        voxelkl::SeriesComparisonArray single(Voxels);
        const std::size_t              blocks[] = { 1, 2, 9, 64, 70, 5, 16 }; // cycled until the series end
        std::size_t                    next = 0;
        for (std::size_t t = 0; t < TimePoints; t += blocks[next++ % std::size(blocks)])
        {
          const std::size_t count = std::min(blocks[next % std::size(blocks)], TimePoints - t);
          for (std::size_t first = 0; first < Voxels; first += run)
          {
            const std::size_t     length = std::min(run, Voxels - first);
            const std::size_t     at = t * Voxels + first;
            const unsigned char * in = mask ? mask + first : nullptr;
            steps.PushTimePoints(first, length, s.x.data() + at, s.y.data() + at, Voxels, count, in);
            for (std::size_t step = 0; step < count; ++step)
            {
              single.PushTimePoint(first, length, s.x.data() + at + step * Voxels, s.y.data() + at + step * Voxels, in);
            }
          }
        }
        std::size_t differ = 0;
        for (std::size_t v = 0; v < Voxels; ++v)
        {
          voxelkl::CoMomentState a, b;
          steps.RawPairs(v, a);
          single.RawPairs(v, b);
          differ += std::memcmp(a, b, sizeof a) != 0;
          for (const auto & [p, q] : { std::pair{ steps.Reference(v), single.Reference(v) },
                                       std::pair{ steps.Generated(v), single.Generated(v) } })
          {
            const double values[] = { p.Count(), p.Mean(), p.M2() }, expected[] = { q.Count(), q.Mean(), q.M2() };
            differ += std::memcmp(values, expected, sizeof values) != 0 || p.Skipped() != q.Skipped();
          }
        }
        EXPECT_EQ(differ, 0u) << "kernel " << static_cast<int>(kernel) << ", runs of " << run << (mask ? ", mask" : "");
      }
    }
  }
  voxelkl::detail::UseUniformKernel(UniformKernel::Avx512); // the widest this CPU runs
}

TEST(SeriesComparisonArray, StepsGiveTheBitsOfOneTimePointAtATime)
{
  for (const bool sparse : { false, true })
  {
    CheckStepsAgainstOneTimePointAtATime(MakePairs(sparse));
  }
}

} // namespace
