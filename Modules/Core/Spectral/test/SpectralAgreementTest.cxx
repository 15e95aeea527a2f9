// The agreement of two spectra against the definitions, computed here bin by bin.
#include "voxelkl/SpectralAgreement.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace
{
using namespace voxelkl;

TEST(SpectralAgreement, DefinitionsOnKnownSpectra)
{
  const WelchSettings       settings{ 8, 4, 2.0 }; // bins 0..4 at 0, 1/16, 1/8, 3/16, 1/4 Hz
  const std::vector<double> reference{ 0.0, 4.0, 2.0, 1.0, 1.0 };
  const std::vector<double> generated{ 0.0, 1.0, 2.0, 4.0, 1.0 };
  const FrequencyBand       band{ 0.06, 0.13 }; // bins 1 and 2
  const auto forward = CompareSpectra(reference.data(), generated.data(), settings, band, KLDirection::Forward);
  // dB differences per bin: 10 log10(1/4), 0, 10 log10(4), 0.
  const double d = 10.0 * std::log10(4.0);
  EXPECT_NEAR(forward.logSpectralDistance, std::sqrt((d * d + d * d) / 4.0), 1e-9);
  // p = (4, 2, 1, 1) / 8, q = (1, 2, 4, 1) / 8.
  const double kl = 0.5 * std::log(4.0) + 0.125 * std::log(0.25);
  EXPECT_NEAR(forward.spectralKL, kl, 1e-9);
  const double reverse = 0.125 * std::log(0.25) + 0.5 * std::log(4.0);
  EXPECT_NEAR(
    CompareSpectra(reference.data(), generated.data(), settings, band, KLDirection::Reverse).spectralKL, reverse, 1e-9);
  EXPECT_NEAR(CompareSpectra(reference.data(), generated.data(), settings, band, KLDirection::Symmetric).spectralKL,
              kl + reverse,
              1e-9);
  // Amplitudes: reference 2, sqrt 2, 1, 1; generated 1, sqrt 2, 2, 1.
  EXPECT_NEAR(forward.alffReference, 2.0 + std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(forward.alffGenerated, 1.0 + std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(forward.falffReference, (2.0 + std::sqrt(2.0)) / (4.0 + std::sqrt(2.0)), 1e-12);
  EXPECT_NEAR(forward.falffGenerated, (1.0 + std::sqrt(2.0)) / (4.0 + std::sqrt(2.0)), 1e-12);
  EXPECT_NEAR(forward.alffRatio, (1.0 + std::sqrt(2.0)) / (2.0 + std::sqrt(2.0)), 1e-9);
  EXPECT_NEAR(forward.falffRatio, (1.0 + std::sqrt(2.0)) / (2.0 + std::sqrt(2.0)), 1e-9);
  // The same spectrum: every distance 0, every ratio 1.
  const auto same = CompareSpectra(reference.data(), reference.data(), settings, band, KLDirection::Symmetric);
  EXPECT_EQ(same.logSpectralDistance, 0.0);
  EXPECT_EQ(same.spectralKL, 0.0);
  EXPECT_EQ(same.alffRatio, 1.0);
}

TEST(SpectralAgreement, EmptyBinsGiveFiniteValues)
{
  const WelchSettings       settings{ 8, 4, 2.0 };
  const std::vector<double> reference{ 0.0, 1.0, 0.0, 0.0, 0.0 };
  const std::vector<double> generated{ 0.0, 0.0, 0.0, 1.0, 0.0 };
  const auto                result =
    CompareSpectra(reference.data(), generated.data(), settings, { 0.06, 0.07 }, KLDirection::Symmetric);
  for (double value : { result.logSpectralDistance, result.spectralKL, result.alffRatio, result.falffRatio })
  {
    EXPECT_TRUE(std::isfinite(value)) << value;
  }
  EXPECT_GT(result.spectralKL, 10.0);
  EXPECT_TRUE(HasPower(reference.data(), settings));
  const std::vector<double> none{ 5.0, 0.0, 0.0, 0.0, 0.0 };
  EXPECT_FALSE(HasPower(none.data(), settings));
}

TEST(SpectralAgreement, BandBins)
{
  const WelchSettings settings{ 100, 50, 2.0 }; // df = 0.005 Hz, Nyquist 0.25 Hz
  const auto [first, last] = BandBins(settings, { 0.01, 0.1 });
  EXPECT_EQ(first, 2u);
  EXPECT_EQ(last, 21u);
  EXPECT_EQ(BandBins(settings, { 0.0051, 0.0099 }).second, 0u); // no bin inside
}

} // namespace
