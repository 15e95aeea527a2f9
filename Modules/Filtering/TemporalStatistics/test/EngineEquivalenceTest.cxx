// The ITK filters and the engine's volume traversal run the same measures: the same bits,
// for any blocking of the volumes, with and without a mask.
#include "SeriesFixtures.h"
#include "voxelkl/ComparisonMeasure.h"
#include "voxelkl/FilterInstantiations.h"
#include "voxelkl/Traversal.h"

#include <gtest/gtest.h>

#include <cstring>

namespace
{
using namespace voxelkl::test;

// An in-memory series handed out `step` volumes at a time, whatever the engine asks for.
class MemorySource final : public voxelkl::VolumeSource<float>
{
public:
  MemorySource(const Series * series, std::size_t step)
    : m_Series(series)
    , m_Step(step)
  {
  }
  std::size_t
  Read(std::size_t maxVolumes, float * out) override
  {
    const auto &      region = m_Series->GetLargestPossibleRegion();
    const std::size_t voxels = region.GetNumberOfPixels() / region.GetSize(3);
    const std::size_t count = std::min({ maxVolumes, m_Step, region.GetSize(3) - m_Next });
    std::memcpy(out, m_Series->GetBufferPointer() + m_Next * voxels, count * voxels * sizeof(float));
    m_Next += count;
    return count;
  }

private:
  const Series * m_Series;
  std::size_t    m_Step;
  std::size_t    m_Next{ 0 };
};

std::size_t
Mismatches(const float * a, const float * b, std::size_t count)
{
  std::size_t mismatches = 0;
  for (std::size_t v = 0; v < count; ++v)
  {
    mismatches += std::memcmp(a + v, b + v, sizeof(float)) != 0;
  }
  return mismatches;
}

TEST(EngineEquivalence, MomentsFilterAndVolumeTraversalForAnyBlocking)
{
  const Series::SizeType size{ { 70, 9, 11, 23 } }; // 6930 voxels: several TBB ranges
  auto                   series = MakeVariedSeries(size, 71);
  auto                   filter = itk::TemporalMomentsImageFilter<Series, Map>::New();
  filter->SetInput(series);
  filter->Update();

  const std::size_t               voxels = 70 * 9 * 11;
  const voxelkl::TraversalContext context{ 2, nullptr, {}, 0 };
  for (std::size_t block : { 1u, 4u, 23u })
  {
    MemorySource     source(series, block);
    voxelkl::Moments moments(voxels);
    voxelkl::TraverseVolumes<float>(
      source,
      nullptr,
      voxels,
      {},
      context,
      [&](std::size_t first, std::size_t count, const float * values, const float *, const unsigned char * inside) {
        moments.PushTimePoint(first, count, values, inside);
      });
    std::vector<std::vector<float>> maps(voxelkl::MomentMapCount, std::vector<float>(voxels));
    voxelkl::MomentsRow<float>      row;
    for (unsigned int n = 0; n < voxelkl::MomentMapCount; ++n)
    {
      row[n] = maps[n].data();
    }
    moments.Finish(0, voxels, nullptr, row);
    for (unsigned int n = 0; n < voxelkl::MomentMapCount; ++n)
    {
      EXPECT_EQ(Mismatches(maps[n].data(), filter->GetOutput(n)->GetBufferPointer(), voxels), 0u)
        << "map " << n << ", blocks of " << block;
    }
  }
}

TEST(EngineEquivalence, KLFilterAndVolumeTraversalPairedAndMasked)
{
  const Series::SizeType size{ { 70, 9, 11, 23 } };
  auto                   reference = MakeVariedSeries(size, 81);
  auto                   generated = MakeVariedSeries(size, 82, 1.4);
  const std::size_t      voxels = 70 * 9 * 11;
  auto                   maskImage = itk::Image<unsigned char, 3>::New();
  {
    itk::Image<unsigned char, 3>::SizeType maskSize{ { 70, 9, 11 } };
    maskImage->SetRegions(itk::Image<unsigned char, 3>::RegionType(maskSize));
    itk::Image<unsigned char, 3>::SpacingType   spacing;
    itk::Image<unsigned char, 3>::PointType     origin;
    itk::Image<unsigned char, 3>::DirectionType direction;
    for (unsigned int i = 0; i < 3; ++i)
    {
      spacing[i] = reference->GetSpacing()[i];
      origin[i] = reference->GetOrigin()[i];
      for (unsigned int j = 0; j < 3; ++j)
      {
        direction[i][j] = reference->GetDirection()[i][j];
      }
    }
    maskImage->SetSpacing(spacing);
    maskImage->SetOrigin(origin);
    maskImage->SetDirection(direction);
    maskImage->Allocate();
    for (std::size_t v = 0; v < voxels; ++v)
    {
      maskImage->GetBufferPointer()[v] = (v % 7) != 3;
    }
  }
  const std::vector<unsigned char> inside(maskImage->GetBufferPointer(), maskImage->GetBufferPointer() + voxels);
  for (const bool paired : { false, true })
  {
    auto filter = itk::GaussianKLDivergenceImageFilter<Series, Map>::New();
    filter->SetReferenceImage(reference);
    filter->SetGeneratedImage(generated);
    filter->SetMaskImage(maskImage);
    filter->SetDivergenceDirection(voxelkl::KLDirection::Symmetric);
    filter->SetComputePairedMaps(paired);
    filter->Update();

    const voxelkl::ComparisonSettings settings{ voxelkl::KLDirection::Symmetric, {}, paired, 0.0 };
    voxelkl::GaussianComparison       comparison(settings, voxels);
    MemorySource                      referenceSource(reference, 5);
    MemorySource                      generatedSource(generated, 5);
    voxelkl::TraverseVolumes<float>(
      referenceSource,
      &generatedSource,
      voxels,
      inside,
      { 2, nullptr, {}, 0 },
      [&](std::size_t first, std::size_t count, const float * r, const float * g, const unsigned char * in) {
        comparison.PushTimePoint(first, count, r, g, in);
      });
    std::vector<float>         kl(voxels), mse(voxels), correlation(voxels), meanDifference(voxels), logRatio(voxels);
    std::vector<unsigned char> status(voxels);
    std::vector<std::uint32_t> skipped(voxels), pairs(voxels);
    const voxelkl::ComparisonRow<float> row{ kl.data(),       status.data(), skipped.data(),     meanDifference.data(),
                                             logRatio.data(), mse.data(),    correlation.data(), pairs.data(),
                                             nullptr };
    comparison.Finish(0, voxels, inside.data(), row);
    EXPECT_EQ(Mismatches(kl.data(), filter->GetKLOutput()->GetBufferPointer(), voxels), 0u) << "paired " << paired;
    EXPECT_EQ(Mismatches(logRatio.data(), filter->GetVarianceLogRatioOutput()->GetBufferPointer(), voxels), 0u);
    EXPECT_EQ(Mismatches(meanDifference.data(), filter->GetMeanDifferenceOutput()->GetBufferPointer(), voxels), 0u);
    EXPECT_EQ(std::memcmp(status.data(), filter->GetStatusOutput()->GetBufferPointer(), voxels), 0);
    if (paired)
    {
      EXPECT_EQ(Mismatches(mse.data(), filter->GetMeanSquaredErrorOutput()->GetBufferPointer(), voxels), 0u);
      EXPECT_EQ(Mismatches(correlation.data(), filter->GetCorrelationOutput()->GetBufferPointer(), voxels), 0u);
    }
  }
}

} // namespace
