// Atlases onto a map's grid: nearest neighbour in physical space, checked against the
// physical positions of the voxel centres computed here; and every way an atlas is refused.
#include "voxelkl/LabelVolume.h"
#include "RegionTestSupport.h"
#include "voxelkl/Errors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

namespace
{
using namespace voxelkl;
using voxelkl::test::MakeGrid;
using voxelkl::test::MakeVolume;
using voxelkl::test::ScratchDirectory;
using voxelkl::test::WriteVolume;

std::int16_t
AtlasLabel(long a, long b, long c)
{
  return std::int16_t((a + 3 * b + 7 * c) % 11); // 0 (background) .. 10
}

// NaN (unlabelled) where i < 3, else labels 1 and 2 alternating.
float
NaNOrLabel(long i, long, long)
{
  return i < 3 ? std::numeric_limits<float>::quiet_NaN() : float(i % 2 + 1);
}

// Expects LoadLabels to throw InputError whose message holds every needle.
void
ExpectRefused(const std::string & atlas, const SpatialGrid & grid, const std::vector<std::string> & needles)
{
  std::ostringstream notes;
  try
  {
    LoadLabels(atlas, "map.nii.gz", grid, notes);
    ADD_FAILURE() << atlas << " was accepted";
  }
  catch (const InputError & e)
  {
    for (const auto & needle : needles)
    {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "missing '" << needle << "' in: " << e.what();
    }
  }
  EXPECT_EQ(notes.str(), "") << "no note for a refused atlas";
}

class LabelVolumeFixture : public ::testing::Test
{
protected:
  ScratchDirectory directory{ "labels" };
  // A 1 mm atlas and a 2 mm map grid flipped in x and y (like an LPS view of RAS data),
  // overlapping in part. The atlas origin is off the map's lattice by 0.3, 0.2 and 0.1 mm,
  // so no map voxel centre is halfway between two atlas voxels (no rounding ties).
  SpatialGrid atlasGrid = MakeGrid({ 24, 20, 16 }, { 1, 1, 1 }, { 3.3, -25.2, 1.1 });
  SpatialGrid mapGrid = MakeGrid({ 10, 9, 7 }, { 2, 2, 2 }, { 20, -8, 0 }, { -1, 0, 0, 0, -1, 0, 0, 0, 1 });
  std::string atlas = directory / "atlas.nii.gz";

  void
  SetUp() override
  {
    WriteVolume(MakeVolume<std::int16_t>(atlasGrid, AtlasLabel).GetPointer(), atlas);
  }
};

TEST_F(LabelVolumeFixture, FinerShiftedAtlasIsResampledByNearestNeighbourInPhysicalSpace)
{
  std::ostringstream notes;
  const auto         volume = LoadLabels(atlas, "map.nii.gz", mapGrid, notes);
  EXPECT_TRUE(volume.resampled);
  ASSERT_EQ(volume.labels.size(), mapGrid.VoxelCount());
  EXPECT_EQ(volume.atlasLabels, (std::vector<std::int32_t>{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }));
  std::set<std::int32_t> present;
  std::size_t            outside = 0;
  std::size_t            v = 0;
  for (long k = 0; k < 7; ++k)
    for (long j = 0; j < 9; ++j)
      for (long i = 0; i < 10; ++i, ++v)
      {
        // The map voxel's centre in physical space, then the nearest atlas voxel centre.
        const double       x = 20.0 - 2.0 * i, y = -8.0 - 2.0 * j, z = 0.0 + 2.0 * k;
        const long         a = std::lround(x - 3.3), b = std::lround(y + 25.2), c = std::lround(z - 1.1);
        const bool         inAtlas = a >= 0 && a < 24 && b >= 0 && b < 20 && c >= 0 && c < 16;
        const std::int32_t expected = inAtlas ? AtlasLabel(a, b, c) : 0;
        outside += !inAtlas;
        ASSERT_EQ(volume.labels[v], expected) << "map voxel (" << i << ", " << j << ", " << k << ")";
        if (expected != 0)
          present.insert(expected);
      }
  EXPECT_GT(outside, 0u) << "the test should cover map voxels outside the atlas";
  EXPECT_EQ(volume.keptLabels, present.size());
  const std::string note = notes.str();
  EXPECT_EQ(std::count(note.begin(), note.end(), '\n'), 1) << note;
  for (const char * needle : { "atlas.nii.gz: resampled from 24x20x16 voxels of 1x1x1 mm",
                               "to the grid of map.nii.gz (10x9x7 voxels of 2x2x2 mm)",
                               "nearest neighbour",
                               "grids differ (size differs along axis 0: 24 vs 10)" })
  {
    EXPECT_NE(note.find(needle), std::string::npos) << "missing '" << needle << "' in: " << note;
  }
}

TEST_F(LabelVolumeFixture, AtlasOnTheMapGridIsTakenAsItIs)
{
  const std::string same = directory / "same.nrrd";
  WriteVolume(MakeVolume<std::uint8_t>(mapGrid, [](long i, long j, long k) { return std::uint8_t((i * j + k) % 4); })
                .GetPointer(),
              same);
  std::ostringstream notes;
  const auto         volume = LoadLabels(same, "map.nii.gz", mapGrid, notes);
  EXPECT_FALSE(volume.resampled);
  EXPECT_EQ(notes.str(), "");
  std::size_t v = 0;
  for (long k = 0; k < 7; ++k)
    for (long j = 0; j < 9; ++j)
      for (long i = 0; i < 10; ++i, ++v)
        ASSERT_EQ(volume.labels[v], (i * j + k) % 4);
  EXPECT_EQ(volume.atlasLabels, (std::vector<std::int32_t>{ 1, 2, 3 }));
}

TEST_F(LabelVolumeFixture, NaNIsBackgroundInAFloatAtlas)
{
  const std::string floats = directory / "float.nii";
  WriteVolume(MakeVolume<float>(mapGrid, NaNOrLabel).GetPointer(), floats);
  std::ostringstream notes;
  const auto         volume = LoadLabels(floats, "map.nii.gz", mapGrid, notes);
  EXPECT_EQ(volume.labels[0], 0);
  EXPECT_EQ(volume.labels[3], 2);
  EXPECT_EQ(volume.labels[4], 1);
}

TEST_F(LabelVolumeFixture, AtlasesThatCannotBeUsedAreRefused)
{
  // Far from the map: no labelled voxel lands on it.
  const SpatialGrid far = MakeGrid({ 10, 9, 7 }, { 2, 2, 2 }, { 500, 500, 500 });
  ExpectRefused(atlas, far, { atlas, "map.nii.gz", "do not overlap", "x 3.3..26.3" });
  // Overlapping only where the atlas is background counts as no overlap too.
  const std::string corner = directory / "corner.nii.gz";
  WriteVolume(
    MakeVolume<std::int16_t>(atlasGrid, [](long a, long, long) { return std::int16_t(a > 20 ? 5 : 0); }).GetPointer(),
    corner);
  ExpectRefused(corner, mapGrid, { "corner.nii.gz and map.nii.gz do not overlap" });

  const std::string fractional = directory / "fractional.nii.gz";
  WriteVolume(
    MakeVolume<float>(atlasGrid, [](long a, long b, long c) { return a == 2 && b == 3 && c == 4 ? 1.5f : 1.0f; })
      .GetPointer(),
    fractional);
  ExpectRefused(fractional, mapGrid, { "fractional.nii.gz", "holds 1.5 at voxel (2, 3, 4)", "integer" });

  const std::string empty = directory / "empty.nii.gz";
  WriteVolume(MakeVolume<std::uint8_t>(atlasGrid, [](long, long, long) { return std::uint8_t(0); }).GetPointer(),
              empty);
  ExpectRefused(empty, mapGrid, { "empty.nii.gz", "no label" });

  ExpectRefused(directory / "absent.nii.gz", mapGrid, { "absent.nii.gz: no such file" });

  auto                                  series = itk::Image<std::int16_t, 4>::New();
  itk::Image<std::int16_t, 4>::SizeType size{ { 4, 4, 4, 3 } };
  series->SetRegions(size);
  series->Allocate(true);
  const std::string fourD = directory / "probabilities.nii.gz";
  WriteVolume(series.GetPointer(), fourD);
  ExpectRefused(fourD, mapGrid, { "probabilities.nii.gz: is a 4D image", "3D maximum-probability image" });
}

} // namespace
