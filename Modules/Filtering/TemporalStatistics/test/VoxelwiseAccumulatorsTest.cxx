// The volume-by-volume path gives the same bits as the ITK filter's tile path.
#include "SeriesFixtures.h"
#include "voxelkl/FilterInstantiations.h"
#include "voxelkl/VoxelwiseAccumulators.h"

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
    voxelkl::VoxelwiseAccumulators<voxelkl::MomentAccumulator> accumulators(voxels, {});
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
  const std::vector<float>                                      volume{ 1, 2, 3, 4 };
  voxelkl::VoxelwiseAccumulators<voxelkl::VarianceAccumulator> accumulators(4, { 1, 0, 1, 0 });
  accumulators.AddVolumes(volume.data(), 1);
  accumulators.AddVolumes(volume.data(), 1);
  EXPECT_EQ(accumulators[0].Count(), 2.0);
  EXPECT_EQ(accumulators[1].Count(), 0.0);
  EXPECT_FALSE(accumulators.IsInside(3));
}

} // namespace
