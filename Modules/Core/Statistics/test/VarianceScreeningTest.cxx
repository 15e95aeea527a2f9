// The screen that lets the non-parametric maps skip the Welford pass: its flags against a
// plain loop, its constant accumulators against pushing, and its decision against the
// Welford accumulators' status and a long double two-pass variance.
#include "voxelkl/VarianceScreening.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace
{
using voxelkl::VarianceAccumulator;
using voxelkl::VarianceFloor;
using voxelkl::VoxelStatus;

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

bool
SameBits(double a, double b)
{
  return std::memcmp(&a, &b, sizeof a) == 0;
}

void
ExpectSameAccumulator(const VarianceAccumulator & a, const VarianceAccumulator & b, const std::string & what)
{
  EXPECT_TRUE(SameBits(a.Count(), b.Count())) << what;
  EXPECT_TRUE(SameBits(a.Mean(), b.Mean())) << what << ": " << a.Mean() << " vs " << b.Mean();
  EXPECT_TRUE(SameBits(a.M2(), b.M2())) << what;
  EXPECT_TRUE(SameBits(a.Variance(), b.Variance())) << what;
  EXPECT_EQ(a.IsConstant(), b.IsConstant()) << what;
  EXPECT_EQ(a.Skipped(), b.Skipped()) << what;
}

template <typename T>
void
CheckFlagsAgainstLoop()
{
  // Series of 0 to 70 values (across every vector width and remainder): equal and unequal
  // values, -0 against +0 (equal), NaN, infinities, the largest finite value; most stay at
  // their first value, and some change at one time point.
  const std::vector<T> specials{ T(0), T(-0.0), T(1), std::numeric_limits<T>::max(), T(NaN), T(Inf), T(-Inf) };
  std::mt19937_64      random(7);
  for (std::size_t count = 0; count <= 70; ++count)
  {
    for (int trial = 0; trial < 40; ++trial)
    {
      std::vector<T> values(count);
      for (std::size_t t = 0; t < count; ++t)
      {
        const bool change = t > 0 && (random() % 23 == 0);
        values[t] = change || t == 0 ? specials[random() % specials.size()] : values[0];
      }
      // The flags one value at a time, in double.
      unsigned char expected = 0;
      for (std::size_t t = 0; t < count; ++t)
      {
        const double x = static_cast<double>(values[t]);
        if (!std::isfinite(x))
          expected |= voxelkl::SeriesNonFinite;
        if (!(x == static_cast<double>(values[0])))
          expected |= voxelkl::SeriesVaries;
      }
      EXPECT_EQ(int(voxelkl::SeriesFlags(values.data(), count)), int(expected)) << "count " << count;
      // A series of one value's bits has that value's flags.
      if (count > 0)
      {
        const std::vector<T> same(count, values[0]);
        EXPECT_EQ(int(voxelkl::SeriesFlags(same.data(), count)), int(voxelkl::SeriesFlags(values.data(), 1)));
      }
    }
  }
}

TEST(VarianceScreening, FlagsMatchAPlainLoop)
{
  CheckFlagsAgainstLoop<float>();
  CheckFlagsAgainstLoop<double>();
}

TEST(VarianceScreening, ConstantSeriesAccumulatorIsPushingTheValue)
{
  for (const double value : { 0.0, -0.0, 700.0, -3.5, 1e-310, 1e300, static_cast<double>(1234.5678f) })
  {
    for (const std::size_t count : { 0, 1, 2, 3, 300 })
    {
      VarianceAccumulator pushed;
      for (std::size_t t = 0; t < count; ++t)
        pushed.Push(value);
      ExpectSameAccumulator(voxelkl::ConstantSeriesAccumulator(value, count),
                            pushed,
                            std::to_string(value) + " x " + std::to_string(count));
    }
  }
}

TEST(VarianceScreening, AccumulateSeriesPushesInOrderAndSkipsNonFinite)
{
  const std::vector<float>  floats{ 3.25f, float(NaN), -1.5f, 7.0f, float(Inf), 2.0f };
  const std::vector<double> doubles(floats.begin(), floats.end());
  VarianceAccumulator       pushed;
  for (const double x : doubles)
    pushed.Push(x);
  ExpectSameAccumulator(voxelkl::AccumulateSeries(floats.data(), floats.size()), pushed, "float");
  ExpectSameAccumulator(voxelkl::AccumulateSeries(doubles.data(), doubles.size()), pushed, "double");
  EXPECT_EQ(pushed.Skipped(), 2u);
}

// The ML variance in long double by two passes: the test's own reference.
long double
ReferenceVariance(const std::vector<double> & x)
{
  long double sum = 0;
  for (const double v : x)
    sum += v;
  const long double mean = sum / static_cast<long double>(x.size());
  long double       squares = 0;
  for (const double v : x)
    squares += (v - mean) * (v - mean);
  return squares / static_cast<long double>(x.size());
}

long double
ReferenceMean(const std::vector<double> & x)
{
  long double sum = 0;
  for (const double v : x)
    sum += v;
  return sum / static_cast<long double>(x.size());
}

// Series whose variances fall on both sides of the floor and of twice the floor, with
// means from 0 to 1e4 (BOLD levels), relative and absolute floors, short and long series.
// True must always mean Valid for the Welford accumulators; away from the factor 2 the
// answer is the one the exact variance gives.
TEST(VarianceScreening, SurelyValidImpliesValidAndFollowsTwiceTheFloor)
{
  std::mt19937_64                        random(11);
  std::normal_distribution<double>       normal;
  std::uniform_real_distribution<double> logFactor(std::log(0.3), std::log(8.0));
  int                                    trueCount = 0, falseCount = 0;
  for (int trial = 0; trial < 4000; ++trial)
  {
    const bool          relative = trial % 2 == 0;
    const double        mean = std::vector<double>{ 0.0, 1.0, 850.0, -1e4 }[static_cast<std::size_t>(trial / 2) % 4];
    const VarianceFloor floor = relative ? VarianceFloor::Relative(1e-3) : VarianceFloor::Absolute(4.0);
    const double        level = relative ? 1e-3 * std::max(std::fabs(mean), 1.0) : 2.0;
    const std::size_t   lengths[2] = { std::vector<std::size_t>{ 2, 3, 17, 300 }[static_cast<std::size_t>(trial) % 4],
                                       std::vector<std::size_t>{
                                         300, 5, 2, 64 }[static_cast<std::size_t>(trial / 3) % 4] };
    std::vector<double> series[2];
    for (int s = 0; s < 2; ++s)
    {
      const double sd = level * std::exp(logFactor(random));
      for (std::size_t t = 0; t < lengths[s]; ++t)
        series[s].push_back(mean + sd * normal(random));
    }
    VarianceAccumulator accumulators[2];
    for (int s = 0; s < 2; ++s)
      for (const double x : series[s])
        accumulators[s].Push(x);
    const auto status =
      voxelkl::GaussianVoxelDivergence(accumulators[0], accumulators[1], voxelkl::KLDirection::Forward, floor).status;
    const bool surely =
      voxelkl::SurelyValid(series[0].data(), series[0].size(), series[1].data(), series[1].size(), floor);
    if (surely)
    {
      EXPECT_EQ(status, VoxelStatus::Valid) << "trial " << trial;
    }
    const long double minimum =
      floor.For(static_cast<double>(ReferenceMean(series[0])), static_cast<double>(ReferenceMean(series[1])));
    const long double smaller = std::min(ReferenceVariance(series[0]), ReferenceVariance(series[1]));
    if (smaller > 2.001L * minimum)
    {
      EXPECT_TRUE(surely) << "trial " << trial;
    }
    if (smaller < 1.999L * minimum)
    {
      EXPECT_FALSE(surely) << "trial " << trial;
    }
    (surely ? trueCount : falseCount) += 1;
  }
  // Both answers were exercised.
  EXPECT_GT(trueCount, 500);
  EXPECT_GT(falseCount, 500);
}

TEST(VarianceScreening, ConstantShortAndTinySeriesAreLeftToTheAccumulators)
{
  const VarianceFloor       floor = VarianceFloor::Absolute(0.0);
  const std::vector<double> varying{ 1.0, 2.0, 4.0 };
  const std::vector<double> constant(3, 5.0);
  const std::vector<double> one{ 1.0 };
  const std::vector<double> tiny{ 1e-160, -1e-160, 2e-160 }; // variance ~1e-320: underflows
  const std::vector<float>  floats{ 1.0f, 2.0f, 4.0f };
  EXPECT_TRUE(voxelkl::SurelyValid(varying.data(), 3, varying.data(), 3, floor));
  EXPECT_TRUE(voxelkl::SurelyValid(floats.data(), 3, floats.data(), 3, floor));
  EXPECT_FALSE(voxelkl::SurelyValid(varying.data(), 3, constant.data(), 3, floor));
  EXPECT_FALSE(voxelkl::SurelyValid(varying.data(), 3, one.data(), 1, floor));
  EXPECT_FALSE(voxelkl::SurelyValid(varying.data(), 3, varying.data(), 0, floor));
  EXPECT_FALSE(voxelkl::SurelyValid(tiny.data(), 3, varying.data(), 3, floor));
  // Sums that overflow give NaN or inf moments: not sure.
  const std::vector<double> huge{ 1.7e308, -1.7e308, 1.7e308 };
  EXPECT_FALSE(voxelkl::SurelyValid(huge.data(), 3, varying.data(), 3, floor));
}

} // namespace
