// The one grid check the executables, the sources and the ITK filters share.
#include "voxelkl/SpatialGrid.h"
#include "voxelkl/Errors.h"
#include "voxelkl/ProgressCounter.h"

#include <gtest/gtest.h>

#include <vector>

namespace
{
using voxelkl::SpatialGrid;

SpatialGrid
Grid()
{
  SpatialGrid grid;
  grid.size = { 4, 5, 6 };
  grid.spacing = { 2.0, 2.0, 3.0 };
  grid.origin = { -10.0, 20.0, 0.5 };
  grid.direction = { -1, 0, 0, 0, -1, 0, 0, 0, 1 };
  return grid;
}

TEST(SpatialGrid, SameWithinTolerancesAndTheFirstDifferenceNamed)
{
  const SpatialGrid a = Grid();
  EXPECT_EQ(a.VoxelCount(), 120u);
  SpatialGrid b = a;
  b.origin[0] += 1e-4 * 2.0 * 0.99; // within 1e-4 of the smallest spacing (2)
  b.direction[4] += 0.9e-4;
  EXPECT_EQ(voxelkl::CompareGrids(a, b), "");
  b.spacing[2] = 3.5;
  EXPECT_EQ(voxelkl::CompareGrids(a, b), "spacing differs along axis 2: 3 vs 3.5");
  b = a;
  b.size[1] = 7;
  b.spacing[0] = 9;
  EXPECT_EQ(voxelkl::CompareGrids(a, b), "size differs along axis 1: 5 vs 7"); // size first
  b = a;
  b.origin[1] = 20.5;
  EXPECT_EQ(voxelkl::CompareGrids(a, b, { 0.3, 1e-4 }), ""); // 0.5 < 0.3 x 2
  EXPECT_NE(voxelkl::CompareGrids(a, b), "");
}

TEST(SpatialGrid, NegativeZeroIsPrintedAsZero)
{
  const SpatialGrid a = Grid();
  SpatialGrid       b = a;
  b.direction = { -1, 0, 0, 0, -1, -0.0, 0, 0.5, 1 };
  EXPECT_EQ(voxelkl::CompareGrids(a, b), "direction differs at (2,1): 0 vs 0.5");
  b = a;
  b.direction[7] = 0.25;
  SpatialGrid c = a;
  c.direction[7] = -0.0; // as a file may store it
  EXPECT_EQ(voxelkl::CompareGrids(b, c), "direction differs at (2,1): 0.25 vs 0");
}

TEST(SpatialGrid, RequireSameGridNamesBothFiles)
{
  SpatialGrid b = Grid();
  b.size[2] = 1;
  try
  {
    voxelkl::RequireSameGrid("a.nii", Grid(), "b.nii", b);
    FAIL() << "grids that differ were accepted";
  }
  catch (const voxelkl::InputError & error)
  {
    EXPECT_STREQ(error.what(), "a.nii and b.nii are not on the same grid: size differs along axis 2: 6 vs 1");
  }
}

TEST(ProgressCounter, FractionsFromSeveralAddsAndExactlyOneAtTheEnd)
{
  std::vector<double>      seen;
  voxelkl::ProgressCounter progress([&seen](double f) { seen.push_back(f); }, 3.0);
  progress.Add(1.0);
  progress.Add(1.0);
  progress.Add(0.999);
  progress.Finish();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_DOUBLE_EQ(seen[0], 1.0 / 3.0);
  EXPECT_LT(seen[2], 1.0);
  EXPECT_EQ(seen.back(), 1.0);
}

} // namespace
