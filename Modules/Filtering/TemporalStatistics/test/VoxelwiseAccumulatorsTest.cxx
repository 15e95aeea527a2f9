// The volume-by-volume path gives the same bits as the ITK filter's tile path.
#include "voxelkl/VoxelwiseAccumulators.h"
#include "SeriesFixtures.h"
#include "voxelkl/FilterInstantiations.h"

#include <gtest/gtest.h>

namespace
{
using namespace voxelkl::test;

TEST(VoxelwiseAccumulators, SameBitsAsTheMomentsFilterForAnyBlocking)
{
  const Series::SizeType size{ { 70, 9, 11, 23 } }; // 6930 voxels: several TBB ranges
  auto                   series = MakeVariedSeries(size, 71);
  auto                   filter = itk::TemporalMomentsImageFilter<Series, Map>::New();
  filter->SetInput(series);
  filter->Update();

  const std::size_t voxels = 70 * 9 * 11;
  for (std::size_t block : { 1u, 4u, 23u })
  {
    voxelkl::VoxelwiseAccumulators<voxelkl::AccumulatorVector<voxelkl::MomentAccumulator>> accumulators(voxels, {});
    for (std::size_t t = 0; t < 23; t += block)
    {
      const std::size_t count = std::min<std::size_t>(block, 23 - t);
      accumulators.AddVolumes(series->GetBufferPointer() + t * voxels, count);
    }
    EXPECT_EQ(accumulators.VolumesAdded(), 23u);
    for (unsigned int n = 0; n < 6; ++n)
    {
      const float * map = filter->GetOutput(n)->GetBufferPointer();
      std::size_t   mismatches = 0;
      for (std::size_t v = 0; v < voxels; ++v)
      {
        const auto value = static_cast<float>(voxelkl::MomentMapValue(accumulators[v], voxelkl::MomentMap(n)));
        mismatches += std::memcmp(&value, map + v, sizeof(float)) != 0;
      }
      EXPECT_EQ(mismatches, 0u) << "map " << n << ", blocks of " << block;
    }
  }
}

TEST(VoxelwiseAccumulators, MaskSkipsVoxels)
{
  const std::vector<float>                                          volume{ 1, 2, 3, 4 };
  voxelkl::VoxelwiseAccumulators<voxelkl::VarianceAccumulatorArray> accumulators(4, { 1, 0, 1, 0 });
  accumulators.AddVolumes(volume.data(), 1);
  accumulators.AddVolumes(volume.data(), 1);
  EXPECT_EQ(accumulators[0].Count(), 2.0);
  EXPECT_EQ(accumulators[1].Count(), 0.0);
  EXPECT_FALSE(accumulators.IsInside(3));
}

} // namespace

namespace
{
using namespace voxelkl::test;

TEST(VoxelwiseAccumulators, SameBitsAsTheKLFilter)
{
  const Series::SizeType size{ { 70, 9, 11, 23 } };
  auto                   reference = MakeVariedSeries(size, 81);
  auto                   generated = MakeVariedSeries(size, 82, 1.4);
  auto                   filter = itk::GaussianKLDivergenceImageFilter<Series, Map>::New();
  filter->SetReferenceImage(reference);
  filter->SetGeneratedImage(generated);
  filter->SetDirection(voxelkl::KLDirection::Symmetric);
  filter->Update();
  const std::size_t                                                 voxels = 70 * 9 * 11;
  voxelkl::VoxelwiseAccumulators<voxelkl::VarianceAccumulatorArray> r(voxels, {});
  voxelkl::VoxelwiseAccumulators<voxelkl::VarianceAccumulatorArray> g(voxels, {});
  r.AddVolumes(reference->GetBufferPointer(), 23);
  for (std::size_t t = 0; t < 23; ++t)
    g.AddVolumes(generated->GetBufferPointer() + t * voxels, 1);
  std::size_t mismatches = 0;
  for (std::size_t v = 0; v < voxels; ++v)
  {
    const auto  result = voxelkl::GaussianVoxelDivergence(r[v], g[v], voxelkl::KLDirection::Symmetric, {});
    const float value = static_cast<float>(result.value);
    mismatches += std::memcmp(&value, filter->GetDivergenceOutput()->GetBufferPointer() + v, sizeof(float)) != 0;
  }
  EXPECT_EQ(mismatches, 0u);
}

} // namespace
