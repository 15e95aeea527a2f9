// The real AAL atlas (MRIcron's aal.nii.gz and aal.nii.txt from Debian's mricron-data,
// fetched by CMake/fetch-test-data.sh; skipped when absent) on the 2 mm MNI152 fMRI grid.
#include "RegionTestSupport.h"
#include "voxelkl/LabelNames.h"
#include "voxelkl/LabelVolume.h"
#include "voxelkl/RegionStatistics.h"
#include "voxelkl/ScalarVolumeReader.h"

#include <gtest/gtest.h>

#include <sstream>

namespace
{
using namespace voxelkl;
using voxelkl::test::MakeGrid;
using voxelkl::test::MakeVolume;
using voxelkl::test::RealDataFile;

// 91x109x91 at 2 mm, RAS origin (-90, -126, -72): in ITK's LPS, origin (90, 126, -72) and
// direction diag(-1, -1, 1), as VoxelKLDemoPair --size 91,109,91 --spacing 2 writes it.
const SpatialGrid Mni2mm = MakeGrid({ 91, 109, 91 }, { 2, 2, 2 }, { 90, 126, -72 }, { -1, 0, 0, 0, -1, 0, 0, 0, 1 });

// AAL voxel (a, b, c), 0 off the atlas.
double
AalLabel(const itk::Image<double, 3> * aal, long a, long b, long c)
{
  if (a < 0 || b < 0 || c < 0 || a >= 181 || b >= 217 || c >= 181)
  {
    return 0.0;
  }
  return aal->GetBufferPointer()[(c * 217 + b) * 181 + a];
}

TEST(AalAtlas, NamesFromAalTxt)
{
  const std::string file = RealDataFile("aal.nii.txt");
  if (file.empty())
  {
    GTEST_SKIP() << "aal.nii.txt not fetched (CMake/fetch-test-data.sh)";
  }
  const auto names = ReadLabelNames(file);
  ASSERT_EQ(names.size(), 116u);
  EXPECT_EQ(names.begin()->first, 1);
  EXPECT_EQ(names.rbegin()->first, 116);
  EXPECT_EQ(names.at(1), "Precentral_L");
  EXPECT_EQ(names.at(2), "Precentral_R");
  EXPECT_EQ(names.at(116), "Vermis_10");
}

TEST(AalAtlas, ResampledOntoTheMni2mmGrid)
{
  const std::string atlas = RealDataFile("aal.nii.gz");
  const std::string namesFile = RealDataFile("aal.nii.txt");
  if (atlas.empty() || namesFile.empty())
  {
    GTEST_SKIP() << "aal.nii.gz / aal.nii.txt not fetched (CMake/fetch-test-data.sh)";
  }
  std::ostringstream notes;
  const auto         labels = LoadLabels(atlas, "bold.nii.gz", Mni2mm, notes);
  EXPECT_TRUE(labels.resampled);
  EXPECT_NE(notes.str().find("resampled from 181x217x181 voxels of 1x1x1 mm to the grid of bold.nii.gz "
                             "(91x109x91 voxels of 2x2x2 mm)"),
            std::string::npos)
    << notes.str();
  ASSERT_EQ(labels.atlasLabels.size(), 116u);
  EXPECT_EQ(labels.keptLabels, 116u);

  // AAL's sform maps voxel (a, b, c) to RAS (-90 + a, -125 + b, -71 + c); the map voxel
  // (i, j, k) is at RAS (-90 + 2i, -126 + 2j, -72 + 2k), exactly on the AAL voxel
  // (2i, 2j - 1, 2k - 1): nearest neighbour must pick that one, or 0 off the atlas.
  const auto  aal = ReadScalarVolume<double>(atlas);
  std::size_t v = 0;
  for (long k = 0; k < 91; ++k)
    for (long j = 0; j < 109; ++j)
      for (long i = 0; i < 91; ++i, ++v)
        ASSERT_EQ(labels.labels[v], AalLabel(aal, 2 * i, 2 * j - 1, 2 * k - 1))
          << "map voxel (" << i << ", " << j << ", " << k << ")";

  // Plausible regions: ~1/8 of the 1 mm voxel count, left regions left of the midline.
  std::vector<std::size_t> fine(117), coarse(117);
  const std::size_t        atlasVoxels = 181 * 217 * 181;
  for (std::size_t n = 0; n < atlasVoxels; ++n)
    ++fine[std::size_t(aal->GetBufferPointer()[n])];
  auto       rasX = MakeVolume<float>(Mni2mm, [](long i, long, long) { return float(-90 + 2 * i); });
  const auto names = ReadLabelNames(namesFile);
  const auto table = ComputeRegionStatistics(labels, names, { { "x", rasX, {} } });
  ASSERT_EQ(table.rows.size(), 116u);
  EXPECT_TRUE(table.unnamed.empty());
  std::size_t total = 0;
  for (const auto & row : table.rows)
  {
    SCOPED_TRACE(row.name);
    const double expected = double(fine[std::size_t(row.label)]) / 8.0;
    EXPECT_NEAR(double(row.voxels), expected, 0.1 * expected + 30.0);
    total += row.voxels;
    const char side = row.name.back();
    if (row.name.size() > 2 && row.name[row.name.size() - 2] == '_' && (side == 'L' || side == 'R'))
    {
      EXPECT_EQ(side == 'L', row.maps[0].mean < 0) << "mean RAS x " << row.maps[0].mean;
    }
  }
  std::size_t fineTotal = 0;
  for (std::size_t l = 1; l <= 116; ++l)
    fineTotal += fine[l];
  EXPECT_NEAR(double(total), double(fineTotal) / 8.0, 0.01 * double(fineTotal) / 8.0);
  EXPECT_EQ(table.rows[0].name, "Precentral_L");
  std::cout << "[ AAL 2 mm ] Precentral_L " << table.rows[0].voxels << " voxels (1 mm: " << fine[1] << "), all regions "
            << total << " (1 mm: " << fineTotal << ")\n";
}

} // namespace
