// The KL filter against closed forms evaluated on two-pass double moments, and against
// the population closed form for series drawn from two known Gaussians.
#include "SeriesFixtures.h"
#include "voxelkl/FilterInstantiations.h"

#include <gtest/gtest.h>

#include <string>

namespace
{
using namespace voxelkl::test;
using KLFilter = itk::GaussianKLDivergenceImageFilter<Series, Map>;
using voxelkl::KLDirection;
using voxelkl::VoxelStatus;

// KL(N(m1, v1) || N(m2, v2)) in its textbook form, independent of the code under test.
double
TextbookKL(double m1, double v1, double m2, double v2)
{
  return 0.5 * (std::log(v2 / v1) + (v1 + (m1 - m2) * (m1 - m2)) / v2 - 1.0);
}

KLFilter::Pointer
RunKL(const Series * reference, const Series * generated, KLDirection direction)
{
  auto filter = KLFilter::New();
  filter->SetReferenceImage(reference);
  filter->SetGeneratedImage(generated);
  filter->SetDivergenceDirection(direction);
  filter->Update();
  return filter;
}

TEST(GaussianKLDivergenceImageFilter, MatchesBruteForceInEveryDirection)
{
  // Different lengths: distributions need no pairing.
  auto reference = MakeVariedSeries(Series::SizeType{ { 5, 4, 3, 37 } }, 21);
  auto generated = MakeVariedSeries(Series::SizeType{ { 5, 4, 3, 29 } }, 22, 1.7);
  for (auto direction : { KLDirection::Forward, KLDirection::Reverse, KLDirection::Symmetric })
  {
    auto           filter = RunKL(reference, generated, direction);
    Map::IndexType index;
    for (index[2] = 0; index[2] < 3; ++index[2])
      for (index[1] = 0; index[1] < 4; ++index[1])
        for (index[0] = 0; index[0] < 5; ++index[0])
        {
          if (index[0] == 0 && index[1] == 0 && index[2] == 0)
          {
            continue; // the constant voxel, tested below
          }
          const auto   r = BruteForceMoments(VoxelSeries(reference, index[0], index[1], index[2]));
          const auto   g = BruteForceMoments(VoxelSeries(generated, index[0], index[1], index[2]));
          const double forward = TextbookKL(r.mean, r.variance, g.mean, g.variance);
          const double reverse = TextbookKL(g.mean, g.variance, r.mean, r.variance);
          const double expected = direction == KLDirection::Forward   ? forward
                                  : direction == KLDirection::Reverse ? reverse
                                                                      : forward + reverse;
          EXPECT_NEAR(filter->GetKLOutput()->GetPixel(index), expected, 1e-5 * std::max(1.0, expected))
            << voxelkl::ToString(direction) << " at " << index;
          EXPECT_EQ(filter->GetStatusOutput()->GetPixel(index), static_cast<unsigned char>(VoxelStatus::Valid));
        }
  }
}

TEST(GaussianKLDivergenceImageFilter, ConstantVoxelsAreFiniteAndCounted)
{
  auto reference = MakeVariedSeries(Series::SizeType{ { 3, 2, 2, 12 } }, 31);
  auto generated = MakeVariedSeries(Series::SizeType{ { 3, 2, 2, 12 } }, 32);
  auto filter = RunKL(reference, generated, KLDirection::Symmetric);
  // Voxel (0,0,0) is the same constant (1000) in both: exactly 0.
  const Map::IndexType constant{ { 0, 0, 0 } };
  EXPECT_EQ(filter->GetKLOutput()->GetPixel(constant), 0.0f);
  EXPECT_EQ(filter->GetStatusOutput()->GetPixel(constant), static_cast<unsigned char>(VoxelStatus::ConstantEqual));
  // Voxel (1,0,0) has a NaN every 5th time point in both series: 2 + 2 skipped.
  EXPECT_EQ(filter->GetNonFiniteSampleCountOutput()->GetPixel(Map::IndexType{ { 1, 0, 0 } }), 4u);
}

TEST(GaussianKLDivergenceImageFilter, ConstantAgainstVaryingUsesTheFloor)
{
  const Series::SizeType size{ { 2, 1, 1, 50 } };
  auto                   constant = MakeSeries(size, [](long, long, long, long, std::mt19937_64 &) { return 10.0f; });
  auto varying = MakeSeries(size, [](long, long, long, long t, std::mt19937_64 &) { return t % 2 ? 9.0f : 11.0f; });
  auto filter = KLFilter::New();
  filter->SetReferenceImage(varying);
  filter->SetGeneratedImage(constant);
  filter->SetVarianceFloor(voxelkl::VarianceFloor::Absolute(0.25));
  filter->Update();
  // N(10, 1) against N(10, 0.25): 1/2 [4 - 1 - ln 4].
  const Map::IndexType voxel{ { 1, 0, 0 } };
  EXPECT_NEAR(filter->GetKLOutput()->GetPixel(voxel), 0.5 * (3.0 - std::log(4.0)), 1e-6);
  EXPECT_EQ(filter->GetStatusOutput()->GetPixel(voxel), static_cast<unsigned char>(VoxelStatus::Floored));
}

TEST(GaussianKLDivergenceImageFilter, ApproachesClosedFormForKnownGaussians)
{
  // Reference ~ N(0, 1), generated ~ N(0.5, 1.5^2), T = 2000 at each of 400 voxels.
  // KL(N(0,1) || N(.5, 1.5^2)) = 0.1832429; the plug-in estimate's sd at T = 2000 is 0.014
  // per voxel (notes 2.7), so the voxel mean is within 3 * 0.014 / sqrt(400) = 0.0021,
  // plus a bias of ~5e-4.
  const Series::SizeType size{ { 20, 20, 1, 2000 } };
  auto                   reference = MakeSeries(
    size, [](long, long, long, long, std::mt19937_64 & e) { return float(std::normal_distribution<>(0, 1)(e)); }, 41);
  auto generated = MakeSeries(
    size,
    [](long, long, long, long, std::mt19937_64 & e) { return float(std::normal_distribution<>(0.5, 1.5)(e)); },
    42);
  for (auto [direction, truth] : { std::pair{ KLDirection::Forward, 0.1832429 },
                                   std::pair{ KLDirection::Reverse, 0.3445349 },
                                   std::pair{ KLDirection::Symmetric, 0.5277778 } })
  {
    auto        filter = RunKL(reference, generated, direction);
    const Map * map = filter->GetKLOutput();
    double      sum = 0;
    const auto  voxels = map->GetLargestPossibleRegion().GetNumberOfPixels();
    for (std::size_t i = 0; i < voxels; ++i)
    {
      sum += map->GetBufferPointer()[i];
    }
    EXPECT_NEAR(sum / voxels, truth, 0.0035 * (truth / 0.1832429)) << voxelkl::ToString(direction);
  }
}

TEST(GaussianKLDivergenceImageFilter, PairedMapsMatchBruteForce)
{
  const Series::SizeType size{ { 5, 4, 3, 31 } };
  auto                   reference = MakeVariedSeries(size, 23);
  auto                   generated = MakeVariedSeries(size, 24, 0.6);
  auto                   filter = KLFilter::New();
  filter->SetReferenceImage(reference);
  filter->SetGeneratedImage(generated);
  filter->ComputePairedMapsOn();
  filter->SetUndefinedCorrelation(-2.0);
  filter->Update();
  Map::IndexType index;
  for (index[2] = 0; index[2] < 3; ++index[2])
    for (index[1] = 0; index[1] < 4; ++index[1])
      for (index[0] = 0; index[0] < 5; ++index[0])
      {
        // Pairs where both values are finite, in double.
        std::vector<double> x, y;
        for (long t = 0; t < 31; ++t)
        {
          const double a = reference->GetPixel({ { index[0], index[1], index[2], t } });
          const double b = generated->GetPixel({ { index[0], index[1], index[2], t } });
          if (std::isfinite(a) && std::isfinite(b))
          {
            x.push_back(a);
            y.push_back(b);
          }
        }
        const double n = x.size();
        double       mx = 0, my = 0, sse = 0, sxx = 0, syy = 0, sxy = 0;
        for (std::size_t i = 0; i < x.size(); ++i)
        {
          mx += x[i];
          my += y[i];
          sse += (x[i] - y[i]) * (x[i] - y[i]);
        }
        mx /= n; // a constant series gives its value exactly
        my /= n;
        for (std::size_t i = 0; i < x.size(); ++i)
        {
          sxx += (x[i] - mx) * (x[i] - mx);
          syy += (y[i] - my) * (y[i] - my);
          sxy += (x[i] - mx) * (y[i] - my);
        }
        const double mse = sse / n;
        EXPECT_NEAR(filter->GetMeanSquaredErrorOutput()->GetPixel(index), mse, 1e-5 * std::max(1.0, mse)) << index;
        const double r = (sxx > 0 && syy > 0) ? sxy / std::sqrt(sxx * syy) : -2.0; // constant voxel: undefined
        EXPECT_NEAR(filter->GetCorrelationOutput()->GetPixel(index), r, 1e-6) << index;
        const auto r1 = BruteForceMoments(VoxelSeries(reference, index[0], index[1], index[2]));
        const auto g1 = BruteForceMoments(VoxelSeries(generated, index[0], index[1], index[2]));
        EXPECT_NEAR(filter->GetMeanDifferenceOutput()->GetPixel(index), g1.mean - r1.mean, 1e-4);
        if (r1.variance > 0)
        {
          EXPECT_NEAR(filter->GetVarianceLogRatioOutput()->GetPixel(index), std::log(g1.variance / r1.variance), 1e-5);
        }
      }
  EXPECT_EQ(filter->GetCorrelationOutput()->GetPixel(Map::IndexType{ { 0, 0, 0 } }), -2.0f);
  EXPECT_EQ(filter->GetVarianceLogRatioOutput()->GetPixel(Map::IndexType{ { 0, 0, 0 } }), 0.0f);
  // Unpaired lengths are refused when paired maps are asked for.
  filter->SetGeneratedImage(MakeVariedSeries(Series::SizeType{ { 5, 4, 3, 30 } }, 25));
  EXPECT_THROW(filter->Update(), itk::ExceptionObject);
  filter->ComputePairedMapsOff();
  EXPECT_NO_THROW(filter->Update());
}

TEST(GaussianKLDivergenceImageFilter, RefusesSeriesOnDifferentGrids)
{
  auto reference = MakeVariedSeries(Series::SizeType{ { 4, 4, 3, 10 } }, 1);
  auto wrongSize = MakeVariedSeries(Series::SizeType{ { 4, 5, 3, 10 } }, 2);
  auto filter = KLFilter::New();
  filter->SetReferenceImage(reference);
  filter->SetGeneratedImage(wrongSize);
  try
  {
    filter->Update();
    FAIL() << "grids differ";
  }
  catch (const itk::ExceptionObject & error)
  {
    EXPECT_NE(
      std::string(error.GetDescription()).find("reference and generated are not on the same spatial grid: size"),
      std::string::npos)
      << error.GetDescription();
  }
  auto shifted = MakeVariedSeries(Series::SizeType{ { 4, 4, 3, 10 } }, 3);
  auto origin = shifted->GetOrigin();
  origin[2] += 1.0;
  shifted->SetOrigin(origin);
  filter->SetGeneratedImage(shifted);
  EXPECT_THROW(filter->Update(), itk::ExceptionObject);
  // A different repetition time (4th spacing) is fine.
  auto otherTR = MakeVariedSeries(Series::SizeType{ { 4, 4, 3, 10 } }, 4);
  auto spacing = otherTR->GetSpacing();
  spacing[3] = 2.0;
  otherTR->SetSpacing(spacing);
  filter->SetGeneratedImage(otherTR);
  EXPECT_NO_THROW(filter->Update());
}

} // namespace
