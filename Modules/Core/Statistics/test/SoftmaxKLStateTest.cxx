// The softmax KL state against closed forms for tiny cases and a brute-force long double
// softmax for random logits (scale up to 50, offsets of +1000), for every way of feeding it.
#include "voxelkl/SoftmaxKLState.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace
{
using voxelkl::KLDirection;
using voxelkl::SoftmaxKLState;

constexpr double Inf = std::numeric_limits<double>::infinity();
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

SoftmaxKLState
OneByOne(const std::vector<double> & generated, const std::vector<double> & reference)
{
  SoftmaxKLState state;
  for (std::size_t i = 0; i < generated.size(); ++i)
  {
    state.Add(generated[i], reference[i]);
  }
  return state;
}

// Chunks of `chunk` voxels, each accumulated with FromLogits, merged in chunk order.
SoftmaxKLState
ByChunks(const std::vector<double> & generated, const std::vector<double> & reference, std::size_t chunk)
{
  SoftmaxKLState state;
  for (std::size_t first = 0; first < generated.size(); first += chunk)
  {
    const std::size_t count = std::min(chunk, generated.size() - first);
    state.Merge(SoftmaxKLState::FromLogits(generated.data() + first, reference.data() + first, count));
  }
  return state;
}

// Chunks merged pairwise as a tree, in a shuffled leaf order: another association.
SoftmaxKLState
ByShuffledTree(const std::vector<double> & generated,
               const std::vector<double> & reference,
               std::size_t                 chunk,
               std::mt19937_64 &           random)
{
  std::vector<SoftmaxKLState> states;
  for (std::size_t first = 0; first < generated.size(); first += chunk)
  {
    SoftmaxKLState    state;
    const std::size_t count = std::min(chunk, generated.size() - first);
    for (std::size_t i = first; i < first + count; ++i)
    {
      state.Add(generated[i], reference[i]);
    }
    states.push_back(state);
  }
  std::shuffle(states.begin(), states.end(), random);
  while (states.size() > 1)
  {
    std::vector<SoftmaxKLState> next;
    for (std::size_t i = 0; i + 1 < states.size(); i += 2)
    {
      next.push_back(states[i]);
      next.back().Merge(states[i + 1]);
    }
    if (states.size() % 2 == 1)
    {
      next.push_back(states.back());
    }
    states.swap(next);
  }
  return states.front();
}

// KL(softmax(x) || softmax(y)) in long double, written as the textbook sum
// sum_i p_i (log p_i - log q_i) but with every quantity taken relative to the maxima, so
// that it is exact to long double precision also where a softmax is nearly one-hot (the
// naive form rounds log p_max = x_max - LSE(x) to the ulp of x_max, 3.5e-18 at 50, which
// is more than such a KL). No chunks, merges or compensation: a different computation.
long double
BruteForceKL(const std::vector<double> & x, const std::vector<double> & y)
{
  const std::size_t mx = static_cast<std::size_t>(std::max_element(x.begin(), x.end()) - x.begin());
  const std::size_t my = static_cast<std::size_t>(std::max_element(y.begin(), y.end()) - y.begin());
  long double       restX = 0.0L; // sum of e^(x_i - max) over i != argmax
  long double       restY = 0.0L;
  for (std::size_t i = 0; i < x.size(); ++i)
  {
    if (i != mx)
    {
      restX += std::exp(static_cast<long double>(x[i]) - x[mx]);
    }
    if (i != my)
    {
      restY += std::exp(static_cast<long double>(y[i]) - y[my]);
    }
  }
  // log p_i - log q_i = (x_i - x_max) - (y_i - y_max) - ln((1 + restX) / (1 + restY))
  const long double logRatio = std::log1p((restX - restY) / (1.0L + restY));
  long double       kl = 0.0L;
  for (std::size_t i = 0; i < x.size(); ++i)
  {
    const long double u = static_cast<long double>(x[i]) - x[mx];
    const long double v = static_cast<long double>(y[i]) - y[my];
    kl += std::exp(u) / (1.0L + restX) * ((u - v) - logRatio);
  }
  return kl;
}

TEST(SoftmaxKLState, TwoVoxelsClosedForm)
{
  // P_gen = softmax(0, 0) = (1/2, 1/2), P_ref = softmax(0, ln 3) = (1/4, 3/4).
  // KL(P_gen || P_ref) = 1/2 ln 2 + 1/2 ln(2/3) = 1/2 ln(4/3) = 0.14384103622589045
  // KL(P_ref || P_gen) = 1/4 ln(1/2) + 3/4 ln(3/2) = 0.13081203594113694
  SoftmaxKLState state;
  state.Add(0.0, 0.0);
  state.Add(0.0, std::log(3.0));
  const double reverse = 0.5 * std::log(4.0 / 3.0);
  const double forward = 0.25 * std::log(0.5) + 0.75 * std::log(1.5);
  EXPECT_NEAR(reverse, 0.14384103622589045, 1e-16);
  EXPECT_NEAR(forward, 0.13081203594113694, 1e-16);
  EXPECT_NEAR(state.Reverse(), reverse, 1e-16);
  EXPECT_NEAR(state.Forward(), forward, 1e-16);
  EXPECT_NEAR(state.Symmetric(), reverse + forward, 1e-16);
  EXPECT_EQ(state.Divergence(KLDirection::Reverse), state.Reverse());
  EXPECT_EQ(state.Divergence(KLDirection::Forward), state.Forward());
  EXPECT_EQ(state.Divergence(KLDirection::Symmetric), state.Symmetric());
  EXPECT_NEAR(state.GeneratedLogSumExp(), std::log(2.0), 1e-16);
  EXPECT_NEAR(state.ReferenceLogSumExp(), std::log(4.0), 1e-15);
  EXPECT_EQ(state.Count(), 2u);
}

TEST(SoftmaxKLState, ThreeVoxelsClosedFormWithOffsets)
{
  // Logits (1, 2, 3) against (3, 2, 1) plus 1000 on the reference: the softmax ignores
  // offsets, so the KL is that of p = e^(0,1,2)/Z against q = e^(2,1,0)/Z, Z = 1 + e + e^2:
  // KL(p || q) = sum p_i (log p_i - log q_i) = sum p_i (2 i - 2) = 2 (p_1 + 2 p_2) - 2.
  const double   z = 1.0 + std::exp(1.0) + std::exp(2.0);
  const double   p1 = std::exp(1.0) / z;
  const double   p2 = std::exp(2.0) / z;
  const double   expected = 2.0 * (p1 + 2.0 * p2) - 2.0; // 1.5231883119115296; symmetric: both equal
  SoftmaxKLState state;
  state.Add(1.0, 1003.0);
  state.Add(2.0, 1002.0);
  state.Add(3.0, 1001.0);
  EXPECT_NEAR(state.Reverse(), expected, 1e-15);
  EXPECT_NEAR(state.Forward(), expected, 1e-15);
  EXPECT_NEAR(state.Symmetric(), 2.0 * expected, 2e-15);
}

TEST(SoftmaxKLState, IdenticalLogitsGiveZero)
{
  std::vector<double> logits{ 0.5, -2.0, 7.25, 3.0, 3.0 };
  SoftmaxKLState      state = SoftmaxKLState::FromLogits(logits.data(), logits.data(), logits.size());
  EXPECT_EQ(state.Reverse(), 0.0);
  EXPECT_EQ(state.Forward(), 0.0);
  EXPECT_EQ(state.Symmetric(), 0.0);
  // A common offset changes nothing but rounding, and the result is never negative.
  std::vector<double> shifted(logits);
  for (double & value : shifted)
  {
    value += 1000.0;
  }
  state = OneByOne(logits, shifted);
  EXPECT_GE(state.Reverse(), 0.0);
  EXPECT_LT(state.Reverse(), 1e-13);
  EXPECT_LT(state.Forward(), 1e-13);
}

TEST(SoftmaxKLState, MinusInfinityIsProbabilityZero)
{
  // P_gen = (0, 1), P_ref = (1/2, 1/2): KL(P_gen || P_ref) = ln 2; KL(P_ref || P_gen) = inf.
  SoftmaxKLState state;
  state.Add(-Inf, 0.0);
  state.Add(0.0, 0.0);
  EXPECT_NEAR(state.Reverse(), std::log(2.0), 1e-16);
  EXPECT_EQ(state.Forward(), Inf);
  EXPECT_EQ(state.Symmetric(), Inf);
  // The same through FromLogits and in the other order (the -inf after the maximum).
  const std::vector<double> a{ 0.0, -Inf }, b{ 0.0, 0.0 };
  const auto                chunk = SoftmaxKLState::FromLogits(a.data(), b.data(), 2);
  EXPECT_NEAR(chunk.Reverse(), std::log(2.0), 1e-16);
  EXPECT_EQ(chunk.Forward(), Inf);
  // -inf on both sides: probability 0 in both, no contribution.
  SoftmaxKLState both;
  both.Add(1.0, 2.0);
  both.Add(-Inf, -Inf);
  both.Add(2.0, 1.0);
  EXPECT_NEAR(both.Reverse(), OneByOne({ 1.0, 2.0 }, { 2.0, 1.0 }).Reverse(), 1e-16);
  EXPECT_EQ(both.Count(), 3u);
  // Merging keeps the infinite flag and the finite direction.
  SoftmaxKLState merged;
  merged.Add(5.0, 5.0);
  SoftmaxKLState withZero;
  withZero.Add(1.0, -Inf); // p > 0 where q = 0
  merged.Merge(withZero);
  EXPECT_EQ(merged.Reverse(), Inf);
  const double p = 1.0 / (1.0 + std::exp(-4.0)); // P_gen of voxel 0; P_ref = (1, 0)
  EXPECT_NEAR(merged.Forward(), -std::log(p), 1e-15);
}

TEST(SoftmaxKLState, NaNAndPlusInfinityAreSkipped)
{
  SoftmaxKLState state;
  state.Add(1.0, 2.0);
  state.Add(NaN, 2.0);
  state.Add(3.0, NaN);
  state.Add(Inf, 1.0);
  state.Add(1.0, Inf);
  state.Add(2.0, 1.0);
  EXPECT_EQ(state.Count(), 2u);
  EXPECT_EQ(state.Skipped(), 4u);
  EXPECT_EQ(state.Reverse(), OneByOne({ 1.0, 2.0 }, { 2.0, 1.0 }).Reverse());
  const std::vector<double> a{ 1.0, NaN, 2.0 }, b{ 2.0, 0.0, 1.0 };
  const auto                chunk = SoftmaxKLState::FromLogits(a.data(), b.data(), 3);
  EXPECT_EQ(chunk.Count(), 2u);
  EXPECT_EQ(chunk.Skipped(), 1u);
  EXPECT_NEAR(chunk.Reverse(), state.Reverse(), 1e-16);
}

TEST(SoftmaxKLState, EmptySidesHaveNoDivergence)
{
  SoftmaxKLState empty;
  EXPECT_TRUE(std::isnan(empty.Reverse()));
  EXPECT_TRUE(std::isnan(empty.Forward()));
  EXPECT_TRUE(std::isnan(empty.Symmetric()));
  SoftmaxKLState noGenerated;
  noGenerated.Add(-Inf, 1.0);
  EXPECT_TRUE(std::isnan(noGenerated.Reverse()));
  EXPECT_TRUE(std::isnan(noGenerated.Forward()));
  // Merging with an empty state changes nothing, in either order.
  SoftmaxKLState state = OneByOne({ 1.0, 4.0, -2.0 }, { 0.0, 1.0, 2.0 });
  SoftmaxKLState left = state;
  left.Merge(SoftmaxKLState());
  SoftmaxKLState right;
  right.Merge(state);
  EXPECT_EQ(left.Reverse(), state.Reverse());
  EXPECT_EQ(right.Forward(), state.Forward());
  EXPECT_EQ(right.Count(), 3u);
}

TEST(SoftmaxKLState, SingleVoxelIsZero)
{
  SoftmaxKLState state;
  state.Add(123.0, -5.0);
  EXPECT_EQ(state.Reverse(), 0.0);
  EXPECT_EQ(state.Forward(), 0.0);
}

// Random logits (reference ~ N(offset, scale^2), generated correlated with it), every way of
// feeding the state. A KL of ~1e-5 (scale 0.01) is the difference of terms ~1e-2, so its
// error is bounded relative to the KL plus an absolute amount that grows with the number
// of roundings: |error| <= relative * KL + 1e-16 + perVoxel * voxels. Chunks of 4096 (as
// the job uses them) are held to a 4x tighter relative bound and 10x tighter per-voxel one
// than many small merges (Add voxel by voxel: one uncompensated merge per voxel; chunks of
// 7; a shuffled tree).
TEST(SoftmaxKLState, MatchesLongDoubleBruteForce)
{
  std::mt19937_64 random(20250601);
  double          worstRatio[2] = { 0.0, 0.0 }; // error / tolerance: chunked, voxel by voxel
  for (const std::size_t voxels : { std::size_t{ 2 }, std::size_t{ 17 }, std::size_t{ 1000 }, std::size_t{ 50000 } })
  {
    for (const double scale : { 0.01, 1.0, 10.0, 50.0 })
    {
      for (const double offset : { 0.0, 1000.0 })
      {
        std::normal_distribution<double> normal(0.0, scale);
        std::vector<double>              a(voxels), b(voxels);
        for (std::size_t i = 0; i < voxels; ++i)
        {
          b[i] = normal(random) + offset; // reference
          a[i] = 0.8 * (b[i] - offset) + 0.6 * normal(random);
        }
        const long double    reverse = BruteForceKL(a, b);
        const long double    forward = BruteForceKL(b, a);
        const long double    expected[] = { reverse, forward, reverse + forward };
        const SoftmaxKLState states[] = { SoftmaxKLState::FromLogits(a.data(), b.data(), voxels),
                                          ByChunks(a, b, 4096),
                                          ByChunks(a, b, 7),
                                          OneByOne(a, b),
                                          ByShuffledTree(a, b, 64, random) };
        for (const auto & state : states)
        {
          const int kind = &state - states < 2 ? 0 : 1;
          ASSERT_EQ(state.Count(), voxels);
          const double values[] = { state.Reverse(), state.Forward(), state.Symmetric() };
          for (int d = 0; d < 3; ++d)
          {
            const double error = static_cast<double>(std::fabs(values[d] - expected[d]));
            const double tolerance = kind == 0 ? 5e-14 * static_cast<double>(expected[d]) + 1e-16 + 2e-19 * voxels
                                               : 2e-13 * static_cast<double>(expected[d]) + 1e-16 + 2e-18 * voxels;
            worstRatio[kind] = std::max(worstRatio[kind], error / tolerance);
            EXPECT_LE(error, tolerance) << voxels << " voxels, scale " << scale << ", offset " << offset
                                        << ", direction " << d << ", state " << (&state - states);
          }
        }
      }
    }
  }
  std::cout << "worst error / tolerance: chunked " << worstRatio[0] << ", voxel by voxel " << worstRatio[1] << '\n';
}

TEST(SoftmaxKLState, SmallDivergencesStayAccurateInAbsoluteTerms)
{
  // Nearly equal logits: KL ~ 1e-10; the error must be a tiny fraction of it.
  std::mt19937_64                  random(7);
  std::normal_distribution<double> normal(0.0, 3.0);
  std::vector<double>              a(20000), b(20000);
  for (std::size_t i = 0; i < a.size(); ++i)
  {
    b[i] = normal(random) + 1000.0;
    a[i] = b[i] - 1000.0 + 1e-5 * normal(random);
  }
  const long double exact = BruteForceKL(a, b);
  const double      value = ByChunks(a, b, 4096).Reverse();
  EXPECT_LT(exact, 1e-8L);
  EXPECT_GT(exact, 1e-12L);
  EXPECT_LT(std::fabs(static_cast<long double>(value) - exact), 1e-15L)
    << value << " vs " << static_cast<double>(exact);
}

TEST(SoftmaxKLState, MergeOrderIsTheOnlyThingThatChangesBits)
{
  // The same chunks merged in the same order give the same bits, whatever else.
  std::mt19937_64                  random(3);
  std::normal_distribution<double> normal(0.0, 20.0);
  std::vector<double>              a(10000), b(10000);
  for (std::size_t i = 0; i < a.size(); ++i)
  {
    a[i] = normal(random);
    b[i] = normal(random);
  }
  const auto first = ByChunks(a, b, 4096);
  const auto second = ByChunks(a, b, 4096);
  EXPECT_EQ(first.Reverse(), second.Reverse());
  EXPECT_EQ(first.Forward(), second.Forward());
  SoftmaxKLState incremental;
  for (std::size_t first_ = 0; first_ < a.size(); first_ += 4096)
  {
    incremental.AddLogits(a.data() + first_, b.data() + first_, std::min<std::size_t>(4096, a.size() - first_));
  }
  EXPECT_EQ(incremental.Reverse(), first.Reverse());
}

} // namespace
