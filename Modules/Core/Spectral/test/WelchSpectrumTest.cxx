// The Welch density against a direct DFT in long double written here from scipy.signal.welch's
// definition (linear detrend and periodic Hann window per segment, |X_k|^2 / (fs sum w^2),
// doubled off DC and Nyquist, mean over segments), and against a sinusoid's known peak.
#include "voxelkl/WelchSpectrum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace
{
using namespace voxelkl;

std::vector<long double>
DirectWelch(const std::vector<double> &      x,
            const std::vector<std::size_t> & runs,
            std::size_t                      L,
            std::size_t                      overlap,
            double                           tr)
{
  const long double        pi = std::acos(-1.0L);
  std::vector<long double> w(L), psd(L / 2 + 1, 0.0L);
  long double              w2 = 0;
  for (std::size_t n = 0; n < L; ++n)
  {
    w[n] = 0.5L - 0.5L * std::cos(2 * pi * n / L);
    w2 += w[n] * w[n];
  }
  std::size_t segments = 0, start = 0;
  for (std::size_t run : runs)
  {
    for (std::size_t s = 0; s + L <= run; s += L - overlap)
    {
      // Least squares a + b n over the segment, by the normal equations.
      long double sn = 0, sx = 0, snn = 0, snx = 0;
      for (std::size_t n = 0; n < L; ++n)
      {
        const long double v = x[start + s + n];
        sn += n, sx += v, snn += (long double)n * n, snx += n * v;
      }
      const long double b = (L * snx - sn * sx) / (L * snn - sn * sn);
      const long double a = (sx - b * sn) / L;
      for (std::size_t k = 0; k <= L / 2; ++k)
      {
        long double re = 0, im = 0;
        for (std::size_t n = 0; n < L; ++n)
        {
          const long double v = (x[start + s + n] - a - b * n) * w[n];
          re += v * std::cos(2 * pi * k * n / L);
          im -= v * std::sin(2 * pi * k * n / L);
        }
        psd[k] += re * re + im * im;
      }
      ++segments;
    }
    start += run;
  }
  for (std::size_t k = 0; k <= L / 2; ++k)
  {
    const bool single = k == 0 || (L % 2 == 0 && k == L / 2);
    psd[k] *= (single ? 1.0L : 2.0L) * tr / w2 / segments;
  }
  return psd;
}

TEST(WelchSpectrum, EqualsTheDirectDefinition)
{
  std::mt19937_64                  engine(5);
  std::normal_distribution<double> noise;
  std::vector<double>              x(157);
  double                           ar = 0;
  for (std::size_t t = 0; t < x.size(); ++t)
  {
    ar = 0.6 * ar + noise(engine); // AR(1): a red spectrum, like BOLD
    x[t] = 1000.0 + 0.05 * t + 5.0 * ar;
  }
  for (const auto & [L, overlap] : { std::pair<std::size_t, std::size_t>{ 64, 32 }, { 50, 10 }, { 31, 0 }, { 157, 0 } })
  {
    for (const std::vector<std::size_t> & runs :
         { std::vector<std::size_t>{ 157 }, std::vector<std::size_t>{ 70, 87 } })
    {
      WelchSettings settings{ L, overlap, 2.0 };
      if (settings.SegmentsIn(runs[0]) == 0)
      {
        continue;
      }
      WelchEstimator      estimator(settings);
      std::vector<double> psd(settings.Bins());
      ASSERT_TRUE(estimator.Estimate(x.data(), 1, runs, psd.data()));
      const auto  expected = DirectWelch(x, runs, L, overlap, 2.0);
      long double largest = 0;
      for (long double p : expected)
        largest = std::max(largest, p);
      for (std::size_t k = 0; k < psd.size(); ++k)
      {
        EXPECT_LE(std::fabs(psd[k] - expected[k]), 1e-9L * std::max(std::fabs(expected[k]), largest * 1e-6L))
          << "L " << L << " bin " << k << " runs " << runs.size();
      }
    }
  }
}

TEST(WelchSpectrum, SinusoidPeaksAtItsFrequencyWithItsPower)
{
  // A sine of amplitude A at a bin frequency peaks in that bin, and the density integrates
  // to its power A^2 / 2 (Parseval: the scale's sum w^2 makes the integral
  // sum x^2 w^2 / sum w^2, which is A^2 / 2 for whole periods; the linear detrend takes a
  // little, hence the tolerance).
  const std::size_t   L = 64;
  const double        tr = 0.5, amplitude = 3.0, pi = std::acos(-1.0);
  std::vector<double> x(256);
  for (std::size_t t = 0; t < x.size(); ++t)
  {
    x[t] = 50.0 + amplitude * std::sin(2 * pi * 8.0 * t / L);
  }
  WelchSettings       settings{ L, L / 2, tr };
  WelchEstimator      estimator(settings);
  std::vector<double> psd(settings.Bins());
  ASSERT_TRUE(estimator.Estimate(x.data(), 1, { x.size() }, psd.data()));
  const std::size_t peak = static_cast<std::size_t>(std::max_element(psd.begin(), psd.end()) - psd.begin());
  EXPECT_EQ(peak, 8u);
  double integral = 0;
  for (double p : psd)
    integral += p / (L * tr); // df = 1 / (L TR)
  EXPECT_NEAR(integral, amplitude * amplitude / 2.0, 0.02);
}

TEST(WelchSpectrum, RefusesNonFiniteSamplesAndTooShortRuns)
{
  WelchSettings       settings{ 16, 8, 1.0 };
  WelchEstimator      estimator(settings);
  std::vector<double> x(40, 1.0), psd(settings.Bins(), -1.0);
  x[7] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(estimator.Estimate(x.data(), 1, { 40 }, psd.data()));
  x[7] = 1.0;
  EXPECT_FALSE(estimator.Estimate(x.data(), 1, { 10, 10, 10, 10 }, psd.data()));
  EXPECT_EQ(psd[0], -1.0);
  EXPECT_TRUE(estimator.Estimate(x.data(), 1, { 40 }, psd.data()));
  EXPECT_EQ(psd[3], 0.0); // a constant has no power
}

} // namespace
