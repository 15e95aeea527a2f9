// RegionStatistics end to end: the table against brute force over the files, the schema
// and JSON beside it, an atlas on a finer grid, and the real AAL atlas on an MNI grid.
#include "RegionFiles.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace
{
using namespace voxelkl::test;
using voxelkl::SpatialGrid;
namespace fs = std::filesystem;

// numpy.percentile's default: linear between the order statistics of sorted.
double
LinearPercentile(const std::vector<double> & sorted, double q)
{
  const double h = q / 100.0 * double(sorted.size() - 1);
  const auto   lo = std::size_t(h);
  const auto   hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

class RegionStatisticsRun : public ::testing::Test
{
protected:
  TemporaryDirectory directory{ "region-statistics" };
  std::string        map = directory / "kl.nii.gz";
  std::string        table = directory / "regions.tsv";

  void
  SetUp() override
  {
    WriteVolume(MakeVolume<float>(MapGrid, MapValue).GetPointer(), map);
  }
};

TEST_F(RegionStatisticsRun, TableMatchesBruteForceOverTheFiles)
{
  const std::string atlas = directory / "atlas.nii.gz";
  const std::string mask = directory / "mask.nii.gz";
  const std::string names = directory / "names.txt";
  const std::string summary = directory / "regions.json";
  WriteVolume(MakeVolume<std::int16_t>(MapGrid, SameGridLabel).GetPointer(), atlas);
  const auto inMask = [](long i, long j, long k) { return (i + j + k) % 5 != 0; };
  WriteVolume(MakeVolume<std::uint8_t>(MapGrid, [&](long i, long j, long k) { return std::uint8_t(inMask(i, j, k)); })
                .GetPointer(),
              mask);
  std::ofstream(names) << "1\tFrontal Pole\n2 Insula_L 2001\n3 Insula_R\n4 Cingulum_L\n5 Cingulum_R\n6 Vermis\n";

  const auto result = RunProgram(VOXELKL_REGIONS_EXECUTABLE,
                                 { "--input",
                                   map,
                                   "--labels",
                                   atlas,
                                   "--labelNames",
                                   names,
                                   "--mask",
                                   mask,
                                   "--mapName",
                                   "kl",
                                   "--table",
                                   table,
                                   "--summary",
                                   summary });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "") << "same grid: nothing to note";
  EXPECT_NE(result.out.find("6 regions"), std::string::npos) << result.out;

  const auto parsed = ReadTable(table);
  ASSERT_EQ(parsed.header.size(), 13u);
  EXPECT_EQ(parsed.header[3], "kl_count");
  ASSERT_EQ(parsed.rows.size(), 6u);
  const std::string expectedNames[] = { "Frontal Pole", "Insula_L", "Insula_R", "Cingulum_L", "Cingulum_R", "Vermis" };
  for (int label = 1; label <= 6; ++label)
  {
    const auto & row = parsed.rows[std::size_t(label - 1)];
    SCOPED_TRACE(row.at("name"));
    EXPECT_EQ(row.count("#cells"), 0u);
    EXPECT_EQ(row.at("label"), std::to_string(label));
    EXPECT_EQ(row.at("name"), expectedNames[label - 1]);
    // Brute force: every voxel of the label inside the mask, finite values only.
    std::size_t         voxels = 0;
    std::vector<double> values;
    for (long k = 0; k < 8; ++k)
      for (long j = 0; j < 10; ++j)
        for (long i = 0; i < 12; ++i)
          if (SameGridLabel(i, j, k) == label && inMask(i, j, k))
          {
            ++voxels;
            if (std::isfinite(MapValue(i, j, k)))
              values.push_back(double(MapValue(i, j, k)));
          }
    ASSERT_FALSE(values.empty());
    std::sort(values.begin(), values.end());
    double sum = 0;
    for (double v : values)
      sum += v;
    const double mean = sum / double(values.size());
    double       squares = 0;
    for (double v : values)
      squares += (v - mean) * (v - mean);
    EXPECT_EQ(std::stoul(row.at("voxels")), voxels);
    EXPECT_EQ(std::stoul(row.at("kl_count")), values.size());
    EXPECT_NEAR(std::stod(row.at("kl_mean")), mean, 1e-12);
    EXPECT_NEAR(std::stod(row.at("kl_std")), std::sqrt(squares / double(values.size())), 1e-12);
    EXPECT_EQ(std::stod(row.at("kl_min")), values.front());
    EXPECT_EQ(std::stod(row.at("kl_max")), values.back());
    EXPECT_NEAR(std::stod(row.at("kl_p5")), LinearPercentile(values, 5), 1e-12);
    EXPECT_NEAR(std::stod(row.at("kl_median")), LinearPercentile(values, 50), 1e-12);
    EXPECT_NEAR(std::stod(row.at("kl_p95")), LinearPercentile(values, 95), 1e-12);
  }
  // The NaN voxel (label 3 there, inside the mask) is counted as a voxel, not a value.
  ASSERT_EQ(SameGridLabel(5, 4, 3), 3);
  EXPECT_EQ(std::stoul(parsed.rows[2].at("voxels")), std::stoul(parsed.rows[2].at("kl_count")) + 1);

  const std::string schema = Slurp(directory / "regions.schema.tsv");
  EXPECT_EQ(schema.rfind("columnName\ttype\tnullValue\tdescription\n", 0), 0u);
  EXPECT_NE(schema.find("\nkl_mean\tdouble\tnan\t"), std::string::npos) << schema;

  const auto json = nlohmann::json::parse(Slurp(summary));
  EXPECT_EQ(json["regions"].size(), 6u);
  EXPECT_EQ(json["regions"][0]["name"], "Frontal Pole");
  EXPECT_EQ(json["regions"][0]["statistics"]["kl"]["mean"].get<double>(), std::stod(parsed.rows[0].at("kl_mean")));
  EXPECT_EQ(json["inputs"]["labels"]["resampled"], false);
  EXPECT_EQ(json["inputs"]["mask"], mask);
  EXPECT_EQ(json["inputs"]["map"]["grid"]["size"], nlohmann::json({ 12, 10, 8 }));
  // Nothing else was written: no temporaries left.
  std::vector<std::string> files = directory.Files();
  std::sort(files.begin(), files.end());
  EXPECT_EQ(
    files,
    (std::vector<std::string>{
      "atlas.nii.gz", "kl.nii.gz", "mask.nii.gz", "names.txt", "regions.json", "regions.schema.tsv", "regions.tsv" }));
}

TEST_F(RegionStatisticsRun, AtlasOnAFinerGridIsResampledAndSaidSo)
{
  // 1 mm atlas covering the map and more, origin 0.25 mm off the map's lattice; labels by
  // physical position, so that the table's regions are known without resampling here.
  const SpatialGrid fine = MakeGrid({ 40, 40, 30 }, { 1, 1, 1 }, { 5.25, -5.25, -14.25 });
  const std::string atlas = directory / "fine.nii.gz";
  WriteVolume(
    MakeVolume<std::uint8_t>(fine, [](long a, long, long) { return std::uint8_t(a < 20 ? 1 : 2); }).GetPointer(),
    atlas);
  const auto result = RunProgram(VOXELKL_REGIONS_EXECUTABLE, { "--input", map, "--labels", atlas, "--table", table });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.err.rfind("RegionStatistics: note: " + atlas + ": resampled from 40x40x30 voxels of 1x1x1 mm", 0),
            0u)
    << result.err;
  const auto parsed = ReadTable(table);
  ASSERT_EQ(parsed.rows.size(), 2u);
  EXPECT_EQ(parsed.rows[0].at("name"), "1"); // no names: numbers
  EXPECT_EQ(parsed.header[3], "value_count");
  // Map x = 30 - 2i lies in the atlas (x 5.25..44.25) for every i; label 1 where the
  // nearest atlas column a = round(x - 5.25) < 20, i.e. x < 24.75: i >= 3.
  EXPECT_EQ(std::stoul(parsed.rows[0].at("voxels")), 9u * 10 * 8);
  EXPECT_EQ(std::stoul(parsed.rows[1].at("voxels")), 3u * 10 * 8);
}

TEST(RegionStatisticsAal, KLMapByAalRegionOnTheMni2mmGrid)
{
  const std::string atlas = TestDataDirectory() + "/aal.nii.gz";
  const std::string names = TestDataDirectory() + "/aal.nii.txt";
  if (TestDataDirectory().empty() || !fs::exists(atlas) || !fs::exists(names))
  {
    GTEST_SKIP() << "aal.nii.gz / aal.nii.txt not fetched (CMake/fetch-test-data.sh)";
  }
  TemporaryDirectory directory("region-statistics-aal");
  // The MNI152 2 mm grid as VoxelKLDemoPair --size 91,109,91 --spacing 2 writes it; the map
  // is the RAS x coordinate, so left regions must have negative means.
  const SpatialGrid mni = MakeGrid({ 91, 109, 91 }, { 2, 2, 2 }, { 90, 126, -72 }, { -1, 0, 0, 0, -1, 0, 0, 0, 1 });
  const std::string map = directory / "x.nii.gz";
  WriteVolume(MakeVolume<float>(mni, [](long i, long, long) { return float(-90 + 2 * i); }).GetPointer(), map);
  const std::string table = directory / "aal.tsv";
  const auto        result =
    RunProgram(VOXELKL_REGIONS_EXECUTABLE,
               { "--input", map, "--labels", atlas, "--labelNames", names, "--mapName", "x", "--table", table });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.err.find("resampled from 181x217x181 voxels of 1x1x1 mm"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("116 of its 116 labels"), std::string::npos) << result.err;
  const auto parsed = ReadTable(table);
  ASSERT_EQ(parsed.rows.size(), 116u);
  EXPECT_EQ(parsed.rows.front().at("name"), "Precentral_L");
  EXPECT_EQ(parsed.rows.back().at("name"), "Vermis_10");
  std::size_t total = 0;
  for (const auto & row : parsed.rows)
  {
    total += std::stoul(row.at("voxels"));
    const std::string & name = row.at("name");
    if (name.size() > 2 && name[name.size() - 2] == '_' && (name.back() == 'L' || name.back() == 'R'))
    {
      EXPECT_EQ(name.back() == 'L', std::stod(row.at("x_mean")) < 0) << name << " " << row.at("x_mean");
    }
  }
  // AAL labels 1 479 969 mm^3; at 2 mm about an eighth of that.
  EXPECT_NEAR(double(total), 1479969.0 / 8.0, 2000.0);
}

} // namespace
