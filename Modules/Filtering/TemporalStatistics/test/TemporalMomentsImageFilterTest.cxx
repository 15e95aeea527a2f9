// The moments filter against two-pass double loops, and its output geometry.
#include "SeriesFixtures.h"
#include "voxelkl/FilterInstantiations.h"

#include <gtest/gtest.h>

namespace
{
using namespace voxelkl::test;
using MomentsFilter = itk::TemporalMomentsImageFilter<Series, Map>;

TEST(TemporalMomentsImageFilter, MatchesBruteForceMoments)
{
  const Series::SizeType size{ { 6, 4, 3, 41 } };
  auto                   series = MakeVariedSeries(size, 11);
  auto                   filter = MomentsFilter::New();
  filter->SetInput(series);
  filter->Update();
  Map::IndexType index;
  for (index[2] = 0; index[2] < 3; ++index[2])
    for (index[1] = 0; index[1] < 4; ++index[1])
      for (index[0] = 0; index[0] < 6; ++index[0])
      {
        const auto expected = BruteForceMoments(VoxelSeries(series, index[0], index[1], index[2]));
        const auto relative = [](double scale) { return 1e-6 * std::max(1.0, std::fabs(scale)); };
        EXPECT_NEAR(filter->GetMeanOutput()->GetPixel(index), expected.mean, relative(expected.mean)) << index;
        EXPECT_NEAR(filter->GetVarianceOutput()->GetPixel(index), expected.variance, relative(expected.variance));
        EXPECT_NEAR(filter->GetStandardDeviationOutput()->GetPixel(index),
                    std::sqrt(expected.variance),
                    relative(std::sqrt(expected.variance)));
        // Skewness of float data around 1e3: the float inputs carry ~1e-4 of the spread.
        EXPECT_NEAR(filter->GetSkewnessOutput()->GetPixel(index), expected.skewness, 1e-5) << index;
        EXPECT_NEAR(filter->GetKurtosisOutput()->GetPixel(index), expected.kurtosis, 1e-5) << index;
        EXPECT_EQ(filter->GetCountOutput()->GetPixel(index), expected.n);
      }
  // The constant voxel: variance exactly 0, skewness and kurtosis defined as 0.
  const Map::IndexType constant{ { 0, 0, 0 } };
  EXPECT_EQ(filter->GetVarianceOutput()->GetPixel(constant), 0.0f);
  EXPECT_EQ(filter->GetSkewnessOutput()->GetPixel(constant), 0.0f);
  // The NaN-laced voxel: 8 of 41 time points skipped.
  EXPECT_EQ(filter->GetCountOutput()->GetPixel(Map::IndexType{ { 1, 0, 0 } }), 33.0f);
}

TEST(TemporalMomentsImageFilter, KeepsObliqueGeometryAndDropsTime)
{
  auto series = MakeVariedSeries(Series::SizeType{ { 5, 4, 3, 7 } }, 2);
  auto filter = MomentsFilter::New();
  filter->SetInput(series);
  filter->Update();
  for (unsigned int n = 0; n < 6; ++n)
  {
    const Map * map = filter->GetOutput(n);
    EXPECT_EQ(map->GetLargestPossibleRegion().GetSize(), (Map::SizeType{ { 5, 4, 3 } }));
    for (unsigned int i = 0; i < 3; ++i)
    {
      EXPECT_EQ(map->GetSpacing()[i], series->GetSpacing()[i]);
      EXPECT_EQ(map->GetOrigin()[i], series->GetOrigin()[i]);
      for (unsigned int j = 0; j < 3; ++j)
      {
        EXPECT_EQ(map->GetDirection()[i][j], series->GetDirection()[i][j]);
      }
    }
  }
  EXPECT_NE(filter->GetMeanOutput()->GetDirection()[0][1], 0.0);
}

TEST(TemporalMomentsImageFilter, MaskedVoxelsAreZero)
{
  auto series = MakeVariedSeries(Series::SizeType{ { 5, 4, 3, 9 } }, 3);
  auto mask = voxelkl::MaskImage::New();
  auto filter = MomentsFilter::New();
  filter->SetInput(series);
  filter->UpdateOutputInformation();
  mask->CopyInformation(filter->GetOutput());
  mask->SetRegions(filter->GetOutput()->GetLargestPossibleRegion());
  mask->Allocate();
  mask->FillBuffer(1);
  const Map::IndexType outside{ { 3, 2, 1 } };
  mask->SetPixel(outside, 0);
  filter->SetMaskImage(mask);
  filter->Update();
  EXPECT_EQ(filter->GetMeanOutput()->GetPixel(outside), 0.0f);
  EXPECT_EQ(filter->GetCountOutput()->GetPixel(outside), 0.0f);
  EXPECT_GT(filter->GetMeanOutput()->GetPixel(Map::IndexType{ { 3, 2, 0 } }), 0.0f);
}

} // namespace
