// The connectivity linear algebra against oracles written here: textbook Pearson loops,
// Ledoit-Wolf from the paper's formulas in plain loops, the multivariate Gaussian KL in
// closed form (diagonal, a 2x2 by hand, a general pair through Gauss-Jordan inversion in
// long double), and sample estimates of a known pair approaching its KL.
#include "voxelkl/ConnectivityMath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace
{
using voxelkl::Matrix;

Matrix
RandomData(std::size_t n, std::size_t p, unsigned seed, double mixing = 0.6)
{
  std::mt19937_64                  random(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  Matrix                           x(n, p);
  for (std::size_t k = 0; k < n; ++k)
  {
    const double common = normal(random);
    for (std::size_t i = 0; i < p; ++i)
    {
      // A shared component makes the variables correlated; offsets and scales differ.
      x(k, i) =
        100.0 * static_cast<double>(i) +
        (1.0 + 0.3 * static_cast<double>(i)) * (mixing * common + normal(random) + 0.1 * static_cast<double>(k % 7));
    }
  }
  return x;
}

double
TextbookPearson(const Matrix & x, std::size_t a, std::size_t b)
{
  double ma = 0.0, mb = 0.0;
  for (std::size_t k = 0; k < x.rows; ++k)
  {
    ma += x(k, a);
    mb += x(k, b);
  }
  ma /= static_cast<double>(x.rows);
  mb /= static_cast<double>(x.rows);
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (std::size_t k = 0; k < x.rows; ++k)
  {
    sab += (x(k, a) - ma) * (x(k, b) - mb);
    saa += (x(k, a) - ma) * (x(k, a) - ma);
    sbb += (x(k, b) - mb) * (x(k, b) - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(CorrelationMatrix, EqualsTextbookPearsonForEveryPair)
{
  const Matrix x = RandomData(57, 9, 3);
  const Matrix r = voxelkl::CorrelationMatrix(x);
  ASSERT_EQ(r.rows, 9u);
  ASSERT_EQ(r.cols, 9u);
  for (std::size_t i = 0; i < 9; ++i)
  {
    EXPECT_EQ(r(i, i), 1.0);
    for (std::size_t j = 0; j < 9; ++j)
    {
      EXPECT_EQ(r(i, j), r(j, i));
      if (i != j)
      {
        EXPECT_NEAR(r(i, j), TextbookPearson(x, i, j), 1e-13) << i << ", " << j;
      }
    }
  }
}

TEST(CorrelationMatrix, IdenticalColumnsGiveExactlyOneAndConstantColumnsAreRefused)
{
  Matrix x(5, 3);
  for (std::size_t k = 0; k < 5; ++k)
  {
    x(k, 0) = 0.1 * static_cast<double>(k * k) + 7.3;
    x(k, 1) = x(k, 0);
    x(k, 2) = -x(k, 0);
  }
  const Matrix r = voxelkl::CorrelationMatrix(x);
  EXPECT_EQ(r(0, 1), 1.0);
  EXPECT_EQ(r(0, 2), -1.0); // clamped if rounding went past
  for (std::size_t k = 0; k < 5; ++k)
  {
    x(k, 2) = 4.0;
  }
  EXPECT_THROW(voxelkl::CorrelationMatrix(x), std::invalid_argument);
  EXPECT_THROW(voxelkl::CorrelationMatrix(Matrix(1, 2, 1.0)), std::invalid_argument);
}

TEST(FisherZ, IsAtanhWithTheClamp)
{
  EXPECT_DOUBLE_EQ(voxelkl::FisherZ(0.5), std::atanh(0.5));
  EXPECT_DOUBLE_EQ(voxelkl::FisherZ(-0.25), std::atanh(-0.25));
  EXPECT_DOUBLE_EQ(voxelkl::FisherZ(1.0), std::atanh(1.0 - 1e-7));
  EXPECT_DOUBLE_EQ(voxelkl::FisherZ(-1.0), -std::atanh(1.0 - 1e-7));
  EXPECT_NEAR(voxelkl::FisherZ(1.0), 8.40562, 1e-5);
  EXPECT_TRUE(std::isfinite(voxelkl::FisherZ(1.0)));
}

TEST(PearsonCorrelation, UndefinedForShortOrConstantSamples)
{
  EXPECT_FALSE(voxelkl::PearsonCorrelation({ 1.0 }, { 2.0 }));
  EXPECT_FALSE(voxelkl::PearsonCorrelation({ 1.0, 1.0, 1.0 }, { 2.0, 3.0, 4.0 }));
  EXPECT_EQ(*voxelkl::PearsonCorrelation({ 1.0, 2.0 }, { 5.0, 3.0 }), -1.0);
  const auto r = voxelkl::PearsonCorrelation({ 1.0, 2.0, 4.0, 3.0 }, { 2.0, 1.0, 5.0, 4.0 });
  ASSERT_TRUE(r);
  // means 2.5 and 3: sum dx dy = 1.5 + 1 + 3 + 0.5 = 6 (by hand), sum dx^2 = 5, sum dy^2 = 10
  EXPECT_NEAR(*r, 6.0 / std::sqrt(50.0), 1e-15);
}

// Ledoit & Wolf (2004), Lemmas 3.2-3.4 and Theorem 3.1, term by term in plain loops.
struct PaperLedoitWolf
{
  double                           m, d2, b2bar, b2, a2;
  std::vector<std::vector<double>> S, Sigma;
};

PaperLedoitWolf
LedoitWolfFromThePaper(const Matrix & x)
{
  const std::size_t   n = x.rows, p = x.cols;
  std::vector<double> mean(p, 0.0);
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < p; ++i)
      mean[i] += x(k, i) / static_cast<double>(n);
  std::vector<std::vector<double>> xc(n, std::vector<double>(p));
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < p; ++i)
      xc[k][i] = x(k, i) - mean[i];
  PaperLedoitWolf lw;
  lw.S.assign(p, std::vector<double>(p, 0.0));
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j)
    {
      for (std::size_t k = 0; k < n; ++k)
        lw.S[i][j] += xc[k][i] * xc[k][j];
      lw.S[i][j] /= static_cast<double>(n);
    }
  // <A, B> = tr(A B^T) / p; m = <S, I>; d2 = ||S - m I||^2; b2bar = 1/n^2 sum_k ||x_k x_k^T - S||^2.
  lw.m = 0.0;
  for (std::size_t i = 0; i < p; ++i)
    lw.m += lw.S[i][i];
  lw.m /= static_cast<double>(p);
  lw.d2 = 0.0;
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j)
    {
      const double d = lw.S[i][j] - (i == j ? lw.m : 0.0);
      lw.d2 += d * d;
    }
  lw.d2 /= static_cast<double>(p);
  lw.b2bar = 0.0;
  for (std::size_t k = 0; k < n; ++k)
  {
    double norm = 0.0;
    for (std::size_t i = 0; i < p; ++i)
      for (std::size_t j = 0; j < p; ++j)
      {
        const double d = xc[k][i] * xc[k][j] - lw.S[i][j];
        norm += d * d;
      }
    lw.b2bar += norm / static_cast<double>(p);
  }
  lw.b2bar /= static_cast<double>(n) * static_cast<double>(n);
  lw.b2 = std::min(lw.b2bar, lw.d2);
  lw.a2 = lw.d2 - lw.b2;
  // S* = (b2 / d2) m I + (a2 / d2) S.
  lw.Sigma.assign(p, std::vector<double>(p, 0.0));
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j)
      lw.Sigma[i][j] = lw.b2 / lw.d2 * (i == j ? lw.m : 0.0) + lw.a2 / lw.d2 * lw.S[i][j];
  return lw;
}

void
ExpectLedoitWolfAsThePaper(const Matrix & x)
{
  const voxelkl::LedoitWolfEstimate ours = voxelkl::LedoitWolf(x);
  const PaperLedoitWolf             paper = LedoitWolfFromThePaper(x);
  const std::size_t                 p = x.cols;
  EXPECT_NEAR(ours.mu, paper.m, 1e-12 * paper.m);
  EXPECT_NEAR(ours.delta2, paper.d2, 1e-11 * paper.d2);
  EXPECT_NEAR(ours.beta2, paper.b2, 1e-11 * paper.b2);
  EXPECT_NEAR(ours.shrinkage, paper.b2 / paper.d2, 1e-11);
  EXPECT_GT(ours.shrinkage, 0.0);
  EXPECT_LE(ours.shrinkage, 1.0);
  double scale = 0.0;
  for (std::size_t i = 0; i < p; ++i)
    scale = std::max(scale, std::fabs(paper.S[i][i]));
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j)
    {
      EXPECT_NEAR(ours.sample(i, j), paper.S[i][j], 1e-12 * scale);
      EXPECT_NEAR(ours.shrunk(i, j), paper.Sigma[i][j], 1e-11 * scale) << i << ", " << j;
    }
}

TEST(LedoitWolf, EqualsThePapersFormulaWithMoreObservationsThanVariables)
{
  ExpectLedoitWolfAsThePaper(RandomData(300, 12, 11));
}

TEST(LedoitWolf, EqualsThePapersFormulaWithFewerObservationsThanVariables)
{
  // T below the number of regions: S is singular, the shrunk estimate is not.
  const Matrix x = RandomData(40, 116, 12, 2.0);
  ExpectLedoitWolfAsThePaper(x);
  const auto estimate = voxelkl::LedoitWolf(x);
  EXPECT_FALSE(voxelkl::LogDeterminant(estimate.sample));
  EXPECT_TRUE(voxelkl::LogDeterminant(estimate.shrunk));
}

TEST(LedoitWolf, AMultipleOfTheIdentityNeedsNoShrinkage)
{
  // Observations +-e_i: S = (2/n) I exactly... and every x_k x_k^T differs from it: delta2 =
  // 0, so beta2 = min(., 0) = 0 and the shrinkage is 0 (sklearn's convention).
  Matrix x(4, 2);
  x(0, 0) = 1;
  x(1, 0) = -1;
  x(2, 1) = 1;
  x(3, 1) = -1;
  const auto estimate = voxelkl::LedoitWolf(x);
  EXPECT_EQ(estimate.delta2, 0.0);
  EXPECT_EQ(estimate.shrinkage, 0.0);
  EXPECT_EQ(estimate.shrunk(0, 0), 0.5);
  EXPECT_EQ(estimate.shrunk(0, 1), 0.0);
}

// KL(N(m1, diag(v1)) || N(m2, diag(v2))) by the textbook sum over coordinates.
double
DiagonalKL(const std::vector<double> & m1,
           const std::vector<double> & v1,
           const std::vector<double> & m2,
           const std::vector<double> & v2)
{
  double kl = 0.0;
  for (std::size_t i = 0; i < m1.size(); ++i)
  {
    const double d = m2[i] - m1[i];
    kl += 0.5 * (v1[i] / v2[i] - 1.0 - std::log(v1[i] / v2[i]) + d * d / v2[i]);
  }
  return kl;
}

Matrix
Diagonal(const std::vector<double> & v)
{
  Matrix m(v.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    m(i, i) = v[i];
  return m;
}

TEST(MultivariateGaussianKL, DiagonalCovariancesGiveTheSumOverCoordinates)
{
  const std::vector<double> m1{ 1.0, -2.0, 0.5 }, v1{ 2.0, 0.5, 1.0 };
  const std::vector<double> m2{ 1.5, -1.0, 0.5 }, v2{ 1.0, 0.8, 3.0 };
  const auto                kl = voxelkl::MultivariateGaussianKL(m1, Diagonal(v1), m2, Diagonal(v2));
  ASSERT_TRUE(kl);
  EXPECT_NEAR(*kl, DiagonalKL(m1, v1, m2, v2), 1e-14);
  const auto back = voxelkl::MultivariateGaussianKL(m2, Diagonal(v2), m1, Diagonal(v1));
  EXPECT_NEAR(*back, DiagonalKL(m2, v2, m1, v1), 1e-14);
}

TEST(MultivariateGaussianKL, TwoByTwoByHand)
{
  // s1 = [2 0.6; 0.6 1], s2 = [1 -0.3; -0.3 0.5], m2 - m1 = (1, -0.5).
  Matrix s1(2, 2), s2(2, 2);
  s1(0, 0) = 2.0;
  s1(0, 1) = s1(1, 0) = 0.6;
  s1(1, 1) = 1.0;
  s2(0, 0) = 1.0;
  s2(0, 1) = s2(1, 0) = -0.3;
  s2(1, 1) = 0.5;
  const double det1 = 2.0 * 1.0 - 0.36, det2 = 1.0 * 0.5 - 0.09;
  // s2^-1 = [0.5 0.3; 0.3 1] / det2
  const double i00 = 0.5 / det2, i01 = 0.3 / det2, i11 = 1.0 / det2;
  const double trace = i00 * 2.0 + i01 * 0.6 + i01 * 0.6 + i11 * 1.0;
  const double d0 = 1.0, d1 = -0.5;
  const double quadratic = i00 * d0 * d0 + 2.0 * i01 * d0 * d1 + i11 * d1 * d1;
  const double expected = 0.5 * (trace + quadratic - 2.0 + std::log(det2) - std::log(det1));
  const auto   kl = voxelkl::MultivariateGaussianKL({ 0.0, 0.0 }, s1, { 1.0, -0.5 }, s2);
  ASSERT_TRUE(kl);
  EXPECT_NEAR(*kl, expected, 1e-13);
  EXPECT_NEAR(*voxelkl::LogDeterminant(s1), std::log(det1), 1e-15);
}

// Inverse and log-determinant by Gauss-Jordan elimination with partial pivoting (long double).
std::pair<std::vector<std::vector<long double>>, long double>
InverseAndLogDet(const Matrix & a)
{
  const std::size_t                     p = a.rows;
  std::vector<std::vector<long double>> m(p, std::vector<long double>(2 * p, 0.0L));
  for (std::size_t i = 0; i < p; ++i)
  {
    for (std::size_t j = 0; j < p; ++j)
      m[i][j] = a(i, j);
    m[i][p + i] = 1.0L;
  }
  long double logDet = 0.0L;
  for (std::size_t c = 0; c < p; ++c)
  {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < p; ++r)
      if (std::fabs(m[r][c]) > std::fabs(m[pivot][c]))
        pivot = r;
    std::swap(m[c], m[pivot]); // the sign of the determinant is + for a positive definite matrix
    logDet += std::log(std::fabs(m[c][c]));
    const long double scale = m[c][c];
    for (auto & value : m[c])
      value /= scale;
    for (std::size_t r = 0; r < p; ++r)
    {
      if (r == c)
        continue;
      const long double factor = m[r][c];
      for (std::size_t k = 0; k < 2 * p; ++k)
        m[r][k] -= factor * m[c][k];
    }
  }
  std::vector<std::vector<long double>> inverse(p, std::vector<long double>(p));
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j)
      inverse[i][j] = m[i][p + j];
  return { inverse, logDet };
}

double
ClosedFormKL(const std::vector<double> & m1, const Matrix & s1, const std::vector<double> & m2, const Matrix & s2)
{
  const std::size_t p = m1.size();
  const auto [inverse2, logDet2] = InverseAndLogDet(s2);
  const auto  logDet1 = InverseAndLogDet(s1).second;
  long double trace = 0.0L, quadratic = 0.0L;
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j)
    {
      trace += inverse2[i][j] * s1(j, i);
      quadratic += (m2[i] - m1[i]) * inverse2[i][j] * (m2[j] - m1[j]);
    }
  return static_cast<double>(0.5L * (trace + quadratic - static_cast<long double>(p) + logDet2 - logDet1));
}

Matrix
RandomCovariance(std::size_t p, unsigned seed)
{
  const Matrix x = RandomData(3 * p, p, seed);
  return voxelkl::LedoitWolf(x).sample;
}

TEST(MultivariateGaussianKL, EqualsTheClosedFormForAGeneralPair)
{
  const std::size_t   p = 7;
  const Matrix        s1 = RandomCovariance(p, 21), s2 = RandomCovariance(p, 22);
  std::vector<double> m1(p), m2(p);
  for (std::size_t i = 0; i < p; ++i)
  {
    m1[i] = std::sin(static_cast<double>(i));
    m2[i] = 0.5 * std::cos(static_cast<double>(i));
  }
  const auto kl = voxelkl::MultivariateGaussianKL(m1, s1, m2, s2);
  ASSERT_TRUE(kl);
  const double expected = ClosedFormKL(m1, s1, m2, s2);
  EXPECT_NEAR(*kl, expected, 1e-11 * std::max(1.0, expected));
}

TEST(MultivariateGaussianKL, IdenticalGaussiansGiveZeroAndNeverBelow)
{
  const Matrix              s = RandomCovariance(20, 5);
  const std::vector<double> m(20, 3.0);
  const auto                kl = voxelkl::MultivariateGaussianKL(m, s, m, s);
  ASSERT_TRUE(kl);
  EXPECT_GE(*kl, 0.0);
  EXPECT_LT(*kl, 1e-20);
}

TEST(MultivariateGaussianKL, NoneWhenACovarianceIsNotPositiveDefinite)
{
  Matrix singular(2, 2, 1.0); // rank 1
  EXPECT_FALSE(voxelkl::MultivariateGaussianKL({ 0.0, 0.0 }, Diagonal({ 1.0, 1.0 }), { 0.0, 0.0 }, singular));
  EXPECT_FALSE(voxelkl::MultivariateGaussianKL({ 0.0, 0.0 }, singular, { 0.0, 0.0 }, Diagonal({ 1.0, 1.0 })));
  EXPECT_FALSE(voxelkl::LogDeterminant(singular));
}

// Samples of two known Gaussians: the KL of the Ledoit-Wolf estimates approaches the exact
// KL (0.623) as the sample grows (the shrinkage goes to 0 with n >> p). Over 200 seeds the
// estimate's bias and standard deviation were 0.009 and 0.029 at n = 2000, 0.001 and 0.0086
// at n = 20000 (so ~0.0012 at 10^6): the tolerances are 3.5 and 4 standard deviations.
TEST(MultivariateGaussianKL, SampleEstimatesOfAKnownPairApproachItsKL)
{
  const std::size_t   p = 4;
  Matrix              s1(p, p), s2(p, p);
  std::vector<double> m1{ 0.0, 1.0, -1.0, 2.0 }, m2{ 0.3, 0.8, -1.0, 2.5 };
  // s1 = D R D, R_ij = 0.6^|i - j| (AR(1)), D = diag(sqrt(1 + 0.2 i)); s2 = 1.3 I + 0.2 J.
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j)
    {
      s1(i, j) =
        std::pow(0.6, std::fabs(double(i) - double(j))) * std::sqrt((1.0 + 0.2 * double(i)) * (1.0 + 0.2 * double(j)));
      s2(i, j) = (i == j ? 1.5 : 0.2);
    }
  const double exact = ClosedFormKL(m1, s1, m2, s2);

  auto sample = [&](const std::vector<double> & m, const Matrix & s, std::size_t n, unsigned seed) {
    // Cholesky by hand: s = L L^T.
    Matrix L(p, p);
    for (std::size_t i = 0; i < p; ++i)
      for (std::size_t j = 0; j <= i; ++j)
      {
        double sum = s(i, j);
        for (std::size_t k = 0; k < j; ++k)
          sum -= L(i, k) * L(j, k);
        L(i, j) = i == j ? std::sqrt(sum) : sum / L(j, j);
      }
    std::mt19937_64                  random(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    Matrix                           x(n, p);
    std::vector<double>              z(p);
    for (std::size_t k = 0; k < n; ++k)
    {
      for (auto & value : z)
        value = normal(random);
      for (std::size_t i = 0; i < p; ++i)
      {
        x(k, i) = m[i];
        for (std::size_t j = 0; j <= i; ++j)
          x(k, i) += L(i, j) * z[j];
      }
    }
    return x;
  };
  for (const std::size_t n : { std::size_t{ 2000 }, std::size_t{ 1000000 } })
  {
    const auto a = voxelkl::LedoitWolf(sample(m1, s1, n, 1));
    const auto b = voxelkl::LedoitWolf(sample(m2, s2, n, 2));
    const auto kl = voxelkl::MultivariateGaussianKL(a.mean, a.shrunk, b.mean, b.shrunk);
    ASSERT_TRUE(kl);
    const double error = std::fabs(*kl - exact);
    EXPECT_LT(error, n == 2000 ? 0.1 : 0.005) << "n = " << n << ": " << *kl << " against " << exact;
    EXPECT_LT(a.shrinkage, n == 2000 ? 0.05 : 0.001);
  }
}

} // namespace
