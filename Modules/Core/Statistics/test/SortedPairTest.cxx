// SortedPair (SortedPair.h) against a brute-force reading of its contract: each series
// sorted by (value, time) with std::sort, insertion points counted one pair at a time,
// ties and shared values by comparing every pair. Inputs cover both sort paths: float32
// values of one sign (exact keys) and doubles over many octaves or both signs (24-bit
// keys with the insertion pass), with forced ties, shared values, -0/+0 and extremes.
#include "voxelkl/SortedPair.h"
#include "voxelkl/NonparametricKL.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace
{

struct Series
{
  std::vector<double>       values; // in time order
  std::vector<std::int32_t> times;
};

using Engine = std::mt19937_64;

enum class Kind
{
  FloatNarrow, // float32 around 1000: the exact path
  FloatSigned, // float32 of both signs around 0: keys over many octaves
  DoubleWide,  // doubles from 1e-300 to 1e300, both signs
  FewDistinct, // integers 0..5: ties everywhere
};

double
Draw(Engine & engine, Kind kind)
{
  std::normal_distribution<double>       normal(0.0, 1.0);
  std::uniform_int_distribution<int>     small(0, 5);
  std::uniform_real_distribution<double> exponent(-300.0, 300.0);
  switch (kind)
  {
    case Kind::FloatNarrow:
      return static_cast<float>(1000.0 + 10.0 * normal(engine));
    case Kind::FloatSigned:
      return static_cast<float>(normal(engine));
    case Kind::DoubleWide:
      return (normal(engine) < 0 ? -1.0 : 1.0) * std::pow(10.0, exponent(engine));
    case Kind::FewDistinct:
      return small(engine);
  }
  return 0.0;
}

Series
MakeSeries(Engine & engine, Kind kind, std::size_t n, bool gaps)
{
  Series                      series;
  std::bernoulli_distribution skip(0.2);
  for (std::int32_t t = 0; series.values.size() < n; ++t)
  {
    if (gaps && skip(engine))
    {
      continue;
    }
    series.values.push_back(Draw(engine, kind));
    series.times.push_back(t);
  }
  return series;
}

std::vector<std::pair<double, std::int32_t>>
BruteSorted(const Series & s)
{
  std::vector<std::pair<double, std::int32_t>> sorted;
  for (std::size_t i = 0; i < s.values.size(); ++i)
  {
    sorted.emplace_back(s.values[i], s.times[i]);
  }
  // (value, time) with -0 == +0: pair's operator< compares values with <.
  std::sort(sorted.begin(), sorted.end(), [](const auto & a, const auto & b) {
    return a.first < b.first || (a.first == b.first && a.second < b.second);
  });
  return sorted;
}

/** pair holds input sorted: every accessor against a brute-force reading of its contract. */
void
ExpectSortedAsBruteForce(const voxelkl::SortedPair & pair, const Series (&input)[2])
{
  bool shared = false;
  for (const double a : input[0].values)
  {
    for (const double b : input[1].values)
    {
      shared = shared || a == b;
    }
  }
  EXPECT_EQ(pair.SharesValue(), shared);
  for (unsigned int s = 0; s < 2; ++s)
  {
    const auto                  expected = BruteSorted(input[s]);
    const voxelkl::SortedSeries series = pair.Series(s);
    const std::vector<double> & other = input[1 - s].values;
    bool                        tied = false;
    double                      gap = 0.0;
    ASSERT_EQ(series.size, expected.size());
    for (std::size_t i = 0; i < series.size; ++i)
    {
      // Bit for bit: a -0 stays -0.
      ASSERT_EQ(std::memcmp(&series.values[i], &expected[i].first, sizeof(double)), 0)
        << "series " << s << " sample " << i << ": " << series.values[i] << " against " << expected[i].first;
      ASSERT_EQ(series.times[i], expected[i].second) << "series " << s << " sample " << i;
      const auto smaller = static_cast<std::uint32_t>(
        std::count_if(other.begin(), other.end(), [&](double x) { return x < expected[i].first; }));
      ASSERT_EQ(pair.Insertion(s)[i], smaller) << "series " << s << " sample " << i;
      if (i > 0)
      {
        tied = tied || expected[i].first == expected[i - 1].first;
        const double d = expected[i].first - expected[i - 1].first;
        gap = d > 0.0 && (gap == 0.0 || d < gap) ? d : gap;
      }
    }
    EXPECT_EQ(pair.HasTies(s), tied) << "series " << s;
    EXPECT_EQ(pair.SmallestGap(s), gap) << "series " << s;
    // The padding the kernels read past either end.
    for (std::size_t j = 1; j <= voxelkl::SortedPair::Padding; ++j)
    {
      EXPECT_EQ(series.values[-static_cast<std::ptrdiff_t>(j)], -std::numeric_limits<double>::infinity());
      EXPECT_EQ(series.values[series.size + j - 1], std::numeric_limits<double>::infinity());
    }
  }
}

void
ExpectMatchesBruteForce(const Series (&input)[2])
{
  voxelkl::SortedPair        pair;
  const double * const       values[2] = { input[0].values.data(), input[1].values.data() };
  const std::int32_t * const times[2] = { input[0].times.data(), input[1].times.data() };
  const std::size_t          size[2] = { input[0].values.size(), input[1].values.size() };
  pair.Sort(values, times, size);
  ExpectSortedAsBruteForce(pair, input);
}

void
ExpectEveryKindMatchesBruteForce()
{
  Engine engine(2026);
  for (const Kind kind : { Kind::FloatNarrow, Kind::FloatSigned, Kind::DoubleWide, Kind::FewDistinct })
  {
    for (const std::size_t n : { 0, 1, 2, 7, 8, 9, 15, 63, 64, 300, 701 })
    {
      for (const bool gaps : { false, true })
      {
        SCOPED_TRACE(testing::Message() << "kind " << static_cast<int>(kind) << " n " << n << " gaps " << gaps);
        Series input[2] = { MakeSeries(engine, kind, n, gaps), MakeSeries(engine, kind, n / 2 + 3, gaps) };
        ExpectMatchesBruteForce(input);
      }
    }
  }
}

TEST(SortedPair, MatchesBruteForceOnEveryKindOfSeries)
{
  ExpectEveryKindMatchesBruteForce();
}

// The split of the pooled order and two-pass sorts of 17- to 22-bit keys have AVX-512
// forms, chosen with the k-NN kernels: each set this CPU runs against the brute force.
TEST(SortedPair, EveryInstructionSetSplitsAsBruteForce)
{
  using voxelkl::detail::NeighbourKernels;
  const NeighbourKernels before = voxelkl::detail::UseNeighbourKernels(NeighbourKernels::Portable);
  for (const NeighbourKernels set : { NeighbourKernels::Portable, NeighbourKernels::Avx2, NeighbourKernels::Avx512 })
  {
    if (!voxelkl::detail::NeighbourKernelsRun(set))
    {
      continue;
    }
    SCOPED_TRACE(testing::Message() << "set " << static_cast<int>(set));
    voxelkl::detail::UseNeighbourKernels(set);
    ExpectEveryKindMatchesBruteForce();
    // float32 values about 1000 and -1000 with spreads whose keys take 14 to 25 bits: one,
    // two or three 8-bit passes, or two wider ones (17 to 22 bits, AVX-512, where the split
    // takes the values from their keys); about 0, both signs in one series; and with +0 or
    // -0 among them (the split then reads the values themselves: their keys are one).
    Engine engine(5);
    for (const double mean : { 1000.0, -1000.0, 0.0 })
    {
      for (const double spread : { 0.05, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 400.0 })
      {
        for (const double zero : { 1.0, 0.0, -0.0 }) // 1: no zero added
        {
          SCOPED_TRACE(testing::Message() << "mean " << mean << " spread " << spread << " zero " << zero);
          std::normal_distribution<double> normal(mean, spread);
          Series                           input[2];
          for (unsigned int s = 0; s < 2; ++s)
          {
            for (std::int32_t t = 0; t < 300 + 7 * static_cast<std::int32_t>(s); ++t)
            {
              input[s].values.push_back(static_cast<float>(normal(engine)));
              input[s].times.push_back(t);
            }
          }
          if (zero != 1.0)
          {
            input[1].values[17] = zero;
          }
          ExpectMatchesBruteForce(input);
        }
      }
    }
  }
  voxelkl::detail::UseNeighbourKernels(before);
}

TEST(SortedPair, ResortAfterSmallAndLargeChangesMatchesBruteForce)
{
  // Resort starts from the old order: small moves (dequantisation of ties, the case it is
  // for) leave it nearly sorted, new values in any order must come out right as well.
  Engine engine(77);
  for (const Kind kind : { Kind::FloatNarrow, Kind::FewDistinct, Kind::DoubleWide })
  {
    for (const bool small : { true, false })
    {
      SCOPED_TRACE(testing::Message() << "kind " << static_cast<int>(kind) << " small " << small);
      Series              input[2] = { MakeSeries(engine, kind, 300, true), MakeSeries(engine, kind, 200, false) };
      voxelkl::SortedPair pair;
      const std::int32_t * const times[2] = { input[0].times.data(), input[1].times.data() };
      const std::size_t          size[2] = { input[0].values.size(), input[1].values.size() };
      const double * const       values[2] = { input[0].values.data(), input[1].values.data() };
      pair.Sort(values, times, size);
      std::uniform_real_distribution<double> jitter(-0.49, 0.49);
      for (double & v : input[0].values)
      {
        v = small ? v + jitter(engine) * (kind == Kind::FewDistinct ? 1.0 : 1e-9 * std::abs(v)) : Draw(engine, kind);
      }
      pair.Resort(values);
      ExpectSortedAsBruteForce(pair, input);
    }
  }
}

TEST(SortedPair, SharedValuesTiesAndSignedZeros)
{
  // Series 1 repeats some of series 0's values (shared), series 0 repeats one of its own
  // (tie); -0 and +0 are one value.
  Series input[2];
  input[0].values = { 3.0, -0.0, 2.5, 7.0, 2.5, -1.0 };
  input[1].values = { 2.5, 0.0, 9.0, 3.0, -4.0 };
  for (unsigned int s = 0; s < 2; ++s)
  {
    for (std::size_t t = 0; t < input[s].values.size(); ++t)
    {
      input[s].times.push_back(static_cast<std::int32_t>(t));
    }
  }
  ExpectMatchesBruteForce(input);

  voxelkl::SortedPair        pair;
  const double * const       values[2] = { input[0].values.data(), input[1].values.data() };
  const std::int32_t * const times[2] = { input[0].times.data(), input[1].times.data() };
  const std::size_t          size[2] = { input[0].values.size(), input[1].values.size() };
  pair.Sort(values, times, size);
  EXPECT_TRUE(pair.HasTies(0));
  EXPECT_FALSE(pair.HasTies(1));
  EXPECT_TRUE(pair.SharesValue());
  // By hand: series 1 sorted is -4, 0, 2.5, 3, 9; series 0 has -1, -0 below 2.5.
  EXPECT_EQ(pair.Insertion(1)[2], 2u);
  EXPECT_EQ(pair.Insertion(0)[2], 2u); // the first 2.5 of series 0: -4 and 0 below
}

TEST(SortedPair, AllEqualValues)
{
  Series input[2];
  input[0].values.assign(70, 5.0);
  input[1].values.assign(3, 5.0);
  for (unsigned int s = 0; s < 2; ++s)
  {
    for (std::size_t t = 0; t < input[s].values.size(); ++t)
    {
      input[s].times.push_back(static_cast<std::int32_t>(t));
    }
  }
  ExpectMatchesBruteForce(input);
}

} // namespace
