// Saved and merged states: a state restored gives the maps of the measure it was saved from,
// bit for bit; states of parts of a series merged in any order give the moments of the
// whole, checked against two-pass sums in long double written here.
#include "voxelkl/ComparisonMeasure.h"
#include "voxelkl/MomentsMeasure.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace
{
using namespace voxelkl;

constexpr std::size_t Voxels = 23;
constexpr std::size_t TimePoints = 90;

// [time][voxel] values: BOLD-like levels and spreads, a constant voxel, and a few NaN/inf.
struct Series
{
  std::vector<double> reference, generated;
};

Series
MakeSeries(unsigned int seed)
{
  std::mt19937_64                  engine(seed);
  std::normal_distribution<double> noise;
  Series                           s;
  for (std::size_t t = 0; t < TimePoints; ++t)
  {
    for (std::size_t v = 0; v < Voxels; ++v)
    {
      const double r = v == 5 ? 700.0 : 1000.0 + 10.0 * v + (2.0 + 0.3 * v) * noise(engine);
      double       g = 0.7 * r + 300.0 + noise(engine) * (v % 3 == 0 ? 4.0 : 1.0);
      if ((t * 7 + v) % 53 == 0)
      {
        g = std::numeric_limits<double>::quiet_NaN();
      }
      s.reference.push_back(r);
      s.generated.push_back(v == 9 && t == 40 ? std::numeric_limits<double>::infinity() : g);
    }
  }
  return s;
}

GaussianComparison
Accumulate(const ComparisonSettings & settings, const Series & s, std::size_t begin, std::size_t end)
{
  GaussianComparison comparison(settings, Voxels);
  for (std::size_t t = begin; t < end; ++t)
  {
    comparison.PushTimePoint(0, Voxels, s.reference.data() + t * Voxels, s.generated.data() + t * Voxels, nullptr);
  }
  return comparison;
}

MeasureState
StateOf(const GaussianComparison & comparison)
{
  MeasureState state(comparison.Kind(), Voxels);
  comparison.ExportState(0, Voxels, state, 0);
  return state;
}

struct Maps
{
  std::vector<double>        kl, meanDifference, varianceLogRatio, mse, correlation;
  std::vector<unsigned char> status;
  std::vector<std::uint32_t> nonFinite, pairs;

  Maps()
    : kl(Voxels)
    , meanDifference(Voxels)
    , varianceLogRatio(Voxels)
    , mse(Voxels)
    , correlation(Voxels)
    , status(Voxels)
    , nonFinite(Voxels)
    , pairs(Voxels)
  {
  }
  ComparisonRow<double>
  Row(bool paired)
  {
    return { kl.data(),
             status.data(),
             nonFinite.data(),
             meanDifference.data(),
             varianceLogRatio.data(),
             paired ? mse.data() : nullptr,
             paired ? correlation.data() : nullptr,
             paired ? pairs.data() : nullptr,
             nullptr };
  }
};

Maps
Finish(const GaussianComparison & comparison)
{
  Maps maps;
  comparison.Finish(0, Voxels, nullptr, maps.Row(comparison.Settings().paired));
  return maps;
}

bool
SameBits(const std::vector<double> & a, const std::vector<double> & b)
{
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(MeasureState, RestoredStateGivesTheSameBits)
{
  const Series s = MakeSeries(1);
  for (const bool paired : { false, true })
  {
    ComparisonSettings settings;
    settings.paired = paired;
    settings.direction = KLDirection::Symmetric;
    const GaussianComparison direct = Accumulate(settings, s, 0, TimePoints);
    const GaussianComparison restored = GaussianComparison::FromState(settings, StateOf(direct));
    const Maps               a = Finish(direct);
    const Maps               b = Finish(restored);
    EXPECT_TRUE(SameBits(a.kl, b.kl)) << paired;
    EXPECT_TRUE(SameBits(a.meanDifference, b.meanDifference));
    EXPECT_TRUE(SameBits(a.varianceLogRatio, b.varianceLogRatio));
    EXPECT_TRUE(SameBits(a.mse, b.mse));
    EXPECT_TRUE(SameBits(a.correlation, b.correlation));
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.nonFinite, b.nonFinite);
    EXPECT_EQ(a.pairs, b.pairs);
  }
}

// Two-pass moments of the finite values (and of the pairs where both are finite), in long
// double: independent of the one-pass updates and of Pebay's merge.
struct Reference
{
  long double n{ 0 }, mean{ 0 }, m2{ 0 }, skipped{ 0 };
};

Reference
TwoPass(const std::vector<double> & values, std::size_t v)
{
  Reference r;
  for (std::size_t t = 0; t < TimePoints; ++t)
  {
    const double x = values[t * Voxels + v];
    if (std::isfinite(x))
    {
      r.n += 1;
      r.mean += x;
    }
    else
    {
      r.skipped += 1;
    }
  }
  r.mean /= r.n;
  for (std::size_t t = 0; t < TimePoints; ++t)
  {
    const double x = values[t * Voxels + v];
    if (std::isfinite(x))
    {
      r.m2 += (x - r.mean) * (x - r.mean);
    }
  }
  return r;
}

void
ExpectRelativelyNear(long double expected, double actual, const char * what, std::size_t v)
{
  const long double scale = std::max<long double>(std::fabs(expected), 1e-300L);
  EXPECT_LE(std::fabs(static_cast<long double>(actual) - expected) / scale, 1e-12L)
    << what << " at voxel " << v << ": " << actual << " vs " << static_cast<double>(expected);
}

TEST(MeasureState, MergedPartsGiveTheMomentsOfTheWholeInAnyOrder)
{
  const Series       s = MakeSeries(2);
  ComparisonSettings settings;
  settings.paired = true;
  // Three parts of unequal lengths: the runs of a subject, or the subjects of a cohort.
  const MeasureState a = StateOf(Accumulate(settings, s, 0, 17));
  const MeasureState b = StateOf(Accumulate(settings, s, 17, 61));
  const MeasureState c = StateOf(Accumulate(settings, s, 61, TimePoints));
  MeasureState       abc = a;
  abc.Merge(b);
  abc.Merge(c);
  MeasureState cba = c;
  cba.Merge(b);
  cba.Merge(a);
  MeasureState bc = b; // a tree: (b + c) + a
  bc.Merge(c);
  MeasureState tree = a;
  tree.Merge(bc);
  for (const MeasureState * merged : { &abc, &cba, &tree })
  {
    for (std::size_t v = 0; v < Voxels; ++v)
    {
      for (unsigned int series = 0; series < 2; ++series)
      {
        const Reference expected = TwoPass(series == 0 ? s.reference : s.generated, v);
        const auto      actual = merged->SeriesAt(v, series);
        EXPECT_EQ(actual.Count(), static_cast<double>(expected.n));
        EXPECT_EQ(actual.Skipped(), static_cast<std::uint64_t>(expected.skipped));
        ExpectRelativelyNear(expected.mean, actual.Mean(), "mean", v);
        if (expected.m2 > 0)
        {
          ExpectRelativelyNear(expected.m2, actual.M2(), "M2", v);
        }
        else
        {
          EXPECT_EQ(actual.M2(), 0.0) << "constant voxel " << v;
        }
      }
      // The pairs: only time points where both values are finite.
      long double n = 0, mx = 0, my = 0;
      for (std::size_t t = 0; t < TimePoints; ++t)
      {
        const double x = s.reference[t * Voxels + v], y = s.generated[t * Voxels + v];
        if (std::isfinite(x) && std::isfinite(y))
        {
          n += 1, mx += x, my += y;
        }
      }
      mx /= n, my /= n;
      long double c = 0, m2y = 0;
      for (std::size_t t = 0; t < TimePoints; ++t)
      {
        const double x = s.reference[t * Voxels + v], y = s.generated[t * Voxels + v];
        if (std::isfinite(x) && std::isfinite(y))
        {
          c += (x - mx) * (y - my), m2y += (y - my) * (y - my);
        }
      }
      CoMomentState pairs;
      merged->PairsAt(v, pairs);
      EXPECT_EQ(pairs[0], static_cast<double>(n));
      ExpectRelativelyNear(my, pairs[2] + pairs[4], "paired mean y", v);
      ExpectRelativelyNear(m2y, pairs[6], "paired M2 y", v);
      if (v != 5) // the constant reference voxel: C is exactly 0
      {
        ExpectRelativelyNear(c, pairs[7], "co-moment", v);
      }
      else
      {
        EXPECT_EQ(pairs[7], 0.0);
      }
    }
  }
  // And the maps of a merge equal those of one pass over the whole series, to 1e-12.
  const Maps whole = Finish(Accumulate(settings, s, 0, TimePoints));
  const Maps merged = Finish(GaussianComparison::FromState(settings, cba));
  for (std::size_t v = 0; v < Voxels; ++v)
  {
    EXPECT_EQ(whole.status[v], merged.status[v]);
    EXPECT_EQ(whole.nonFinite[v], merged.nonFinite[v]);
    EXPECT_EQ(whole.pairs[v], merged.pairs[v]);
    for (const auto & [name, map] : { std::pair{ "kl", &Maps::kl },
                                      std::pair{ "mse", &Maps::mse },
                                      std::pair{ "correlation", &Maps::correlation },
                                      std::pair{ "meanDifference", &Maps::meanDifference } })
    {
      ExpectRelativelyNear((whole.*map)[v], (merged.*map)[v], name, v);
    }
  }
}

TEST(MeasureState, PairedStateServesUnpairedMapsAndMergesWithUnpairedStates)
{
  const Series       s = MakeSeries(3);
  ComparisonSettings paired;
  paired.paired = true;
  ComparisonSettings unpaired;
  MeasureState       merged = StateOf(Accumulate(paired, s, 0, 40)).WithoutPairs();
  EXPECT_EQ(merged.Kind(), StateKind::Comparison);
  merged.Merge(StateOf(Accumulate(unpaired, s, 40, TimePoints)));
  const Maps whole = Finish(Accumulate(unpaired, s, 0, TimePoints));
  const Maps fromMerge = Finish(GaussianComparison::FromState(unpaired, merged));
  for (std::size_t v = 0; v < Voxels; ++v)
  {
    ExpectRelativelyNear(whole.kl[v], fromMerge.kl[v], "kl", v);
  }
  EXPECT_THROW(GaussianComparison::FromState(paired, merged), std::invalid_argument);
  EXPECT_THROW(merged.Merge(MeasureState(StateKind::PairedComparison, Voxels)), std::invalid_argument);
}

TEST(MeasureState, MergedMomentsEqualTwoPassCentralMoments)
{
  const Series s = MakeSeries(4);
  auto         part = [&](std::size_t begin, std::size_t end) {
    Moments moments(Voxels);
    for (std::size_t t = begin; t < end; ++t)
    {
      moments.PushTimePoint(0, Voxels, s.generated.data() + t * Voxels, nullptr);
    }
    MeasureState state(StateKind::Moments, Voxels);
    moments.ExportState(0, Voxels, state, 0);
    return state;
  };
  MeasureState merged = part(50, TimePoints);
  merged.Merge(part(0, 1)); // a part of one sample
  merged.Merge(part(1, 50));
  for (std::size_t v = 0; v < Voxels; ++v)
  {
    const Reference expected = TwoPass(s.generated, v);
    long double     m3 = 0, m4 = 0, low = INFINITY, high = -INFINITY;
    for (std::size_t t = 0; t < TimePoints; ++t)
    {
      const double x = s.generated[t * Voxels + v];
      if (std::isfinite(x))
      {
        const long double d = x - expected.mean;
        m3 += d * d * d, m4 += d * d * d * d;
        low = std::min<long double>(low, x), high = std::max<long double>(high, x);
      }
    }
    const MomentAccumulator a = merged.MomentsAt(v);
    EXPECT_EQ(a.Count(), static_cast<double>(expected.n));
    ExpectRelativelyNear(expected.mean, a.Mean(), "mean", v);
    ExpectRelativelyNear(expected.m2, a.M2(), "M2", v);
    // M3 is a sum of signed terms: relative to M2^1.5 (its scale), as skewness is.
    EXPECT_LE(std::fabs(static_cast<long double>(a.M3()) - m3) / std::pow(expected.m2, 1.5L) * std::sqrt(expected.n),
              1e-12L)
      << v;
    ExpectRelativelyNear(m4, a.M4(), "M4", v);
    EXPECT_EQ(a.Min(), static_cast<double>(low));
    EXPECT_EQ(a.Max(), static_cast<double>(high));
    // Restoring changes no bit.
    const auto raw = a.RawFields();
    EXPECT_EQ(std::memcmp(raw.data(), MomentAccumulator::FromRawFields(raw).RawFields().data(), sizeof(raw)), 0);
  }
}

} // namespace
