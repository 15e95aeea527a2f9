// VoxelKLDivergence on real files: against a brute-force double computation written here,
// and identical maps for every format, voxel type, read path, tile count and thread count.
#include "TestFiles.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

// Integer-valued samples, exact in int16, uint16, float32 and float64 alike, so that every
// voxel type must give the same map. Voxel (0,0,0) is the same constant in both series;
// voxel (1,0,0) is constant (0) in the reference only.
long
Noise(long x, long y, long z, long t, long salt)
{
  unsigned long h = static_cast<unsigned long>(x * 73856093L ^ y * 19349663L ^ z * 83492791L ^ t * 2654435761L ^ salt);
  h ^= h >> 13;
  h *= 0x5bd1e995UL;
  h ^= h >> 15;
  return static_cast<long>(h % 41) - 20;
}

double
ReferenceValue(long x, long y, long z, long t)
{
  if (x == 0 && y == 0 && z == 0)
    return 500;
  if (x == 1 && y == 0 && z == 0)
    return 0;
  return 1000 + 10 * x + 5 * z + Noise(x, y, z, t, 1) * (1 + y % 3);
}

double
GeneratedValue(long x, long y, long z, long t)
{
  if (x == 0 && y == 0 && z == 0)
    return 500;
  // Flattened where y is even (an MSE-trained model's averaged signal), shifted elsewhere.
  const long spread = y % 2 == 0 ? 1 : 2;
  return 1004 + 10 * x + 5 * z + Noise(x, y, z, t, 2) * spread;
}

constexpr std::array<long, 4> Size{ 7, 5, 4, 30 };

struct PairFiles
{
  TemporaryDirectory directory{ "kl-e2e" };
  Series::Pointer    reference = MakeSeries(Size, ReferenceValue);
  Series::Pointer    generated = MakeSeries({ Size[0], Size[1], Size[2], 24 }, GeneratedValue);
  std::string        referenceFile = directory / "reference.nii";
  std::string        generatedFile = directory / "generated.nii";
  PairFiles()
  {
    WriteSeries(reference, referenceFile);
    WriteSeries(generated, generatedFile);
  }
};

Volume::Pointer
RunKL(const std::vector<std::string> & arguments, const std::string & output)
{
  std::vector<std::string> all = arguments;
  all.insert(all.end(), { "--output", output });
  const auto result = RunProgram(VOXELKL_KL_EXECUTABLE, all);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return ReadVolume(output);
}

TEST(VoxelKLDivergenceApp, MatchesBruteForceAndSummarisesIt)
{
  PairFiles           files;
  const auto          map = RunKL({ "--reference",
                                    files.referenceFile,
                                    "--generated",
                                    files.generatedFile,
                                    "--summary",
                                    files.directory / "kl.json" },
                         files.directory / "kl.nii.gz");
  std::vector<double> valid;
  for (long z = 0; z < Size[2]; ++z)
    for (long y = 0; y < Size[1]; ++y)
      for (long x = 0; x < Size[0]; ++x)
      {
        const double value = map->GetPixel(Volume::IndexType{ { x, y, z } });
        if (x <= 1 && y == 0 && z == 0)
          continue;
        const auto [mr, vr] = MeanVariance(VoxelValues(files.reference, x, y, z));
        const auto [mg, vg] = MeanVariance(VoxelValues(files.generated, x, y, z));
        const double expected = TextbookKL(mr, vr, mg, vg);
        EXPECT_NEAR(value, expected, 1e-6 * std::max(1.0, expected)) << x << "," << y << "," << z;
        valid.push_back(value);
      }
  EXPECT_EQ(map->GetPixel(Volume::IndexType{ { 0, 0, 0 } }), 0.0); // the same constant
  // Reference constant at 0 against a varying series: finite, computed with the floor.
  const double floored = map->GetPixel(Volume::IndexType{ { 1, 0, 0 } });
  EXPECT_TRUE(std::isfinite(floored));
  EXPECT_GT(floored, 1.0);

  std::ifstream  stream(files.directory / "kl.json");
  nlohmann::json summary = nlohmann::json::parse(stream);
  EXPECT_EQ(summary["units"], "nats");
  EXPECT_EQ(summary["options"]["direction"], "forward");
  EXPECT_EQ(summary["inputs"]["reference"]["timePoints"], 30);
  EXPECT_EQ(summary["inputs"]["generated"]["timePoints"], 24);
  EXPECT_EQ(summary["inputs"]["reference"]["voxelType"], "float32");
  EXPECT_EQ(summary["voxels"]["inMask"], 140);
  EXPECT_EQ(summary["voxels"]["valid"], 138);
  EXPECT_EQ(summary["voxels"]["constant"], 1);
  EXPECT_EQ(summary["voxels"]["floored"], 1);
  // Distribution over valid voxels, computed here from the written map.
  std::sort(valid.begin(), valid.end());
  double sum = 0;
  for (double v : valid)
    sum += v;
  EXPECT_NEAR(summary["kl"]["mean"].get<double>(), sum / valid.size(), 1e-9);
  EXPECT_NEAR(summary["kl"]["median"].get<double>(), 0.5 * (valid[68] + valid[69]), 1e-9);
  EXPECT_EQ(summary["kl"]["min"].get<double>(), valid.front());
  EXPECT_EQ(summary["kl"]["max"].get<double>(), valid.back());
  // numpy.percentile(valid, 25): position 0.25 * 137 = 34.25.
  EXPECT_NEAR(summary["kl"]["p25"].get<double>(), valid[34] + 0.25 * (valid[35] - valid[34]), 1e-9);
}

TEST(VoxelKLDivergenceApp, ReverseIsForwardWithRolesSwapped)
{
  // Same length, so that swapping the files swaps the roles exactly.
  TemporaryDirectory directory("kl-swap");
  WriteSeries(MakeSeries(Size, ReferenceValue), directory / "a.nii");
  WriteSeries(MakeSeries(Size, GeneratedValue), directory / "b.nii");
  const auto reverse =
    RunKL({ "--reference", directory / "a.nii", "--generated", directory / "b.nii", "--direction", "reverse" },
          directory / "reverse.nii");
  const auto swapped =
    RunKL({ "--reference", directory / "b.nii", "--generated", directory / "a.nii" }, directory / "swapped.nii");
  EXPECT_TRUE(SameVoxels(reverse, swapped));
  const auto forward =
    RunKL({ "--reference", directory / "a.nii", "--generated", directory / "b.nii" }, directory / "forward.nii");
  const auto symmetric =
    RunKL({ "--reference", directory / "a.nii", "--generated", directory / "b.nii", "--direction", "symmetric" },
          directory / "symmetric.nii");
  for (std::size_t i = 0; i < 140; ++i)
  {
    const double sum = forward->GetBufferPointer()[i] + reverse->GetBufferPointer()[i];
    EXPECT_NEAR(symmetric->GetBufferPointer()[i], sum, 1e-6 * std::max(1.0, sum));
  }
}

TEST(VoxelKLDivergenceApp, SameMapForEveryFormatVoxelTypeAndReadPath)
{
  PairFiles  files;
  const auto baseline =
    RunKL({ "--reference", files.referenceFile, "--generated", files.generatedFile }, files.directory / "base.nii");
  struct Variant
  {
    std::string extension, type;
  };
  for (const Variant & variant : { Variant{ ".nii.gz", "float32" },
                                   Variant{ ".nrrd", "float32" },
                                   Variant{ ".mha", "float32" },
                                   Variant{ ".nii.gz", "int16" },
                                   Variant{ ".nii", "uint16" },
                                   Variant{ ".nii.gz", "float64" },
                                   Variant{ ".nrrd", "int16" } })
  {
    // Each format in its own directory: a.nii beside a.nii.gz would shadow it in niftilib.
    TemporaryDirectory here("kl-variant");
    WriteSeries(files.reference, here / ("r" + variant.extension), variant.type);
    WriteSeries(files.generated, here / ("g" + variant.extension), variant.type);
    const auto map =
      RunKL({ "--reference", here / ("r" + variant.extension), "--generated", here / ("g" + variant.extension) },
            here / "kl.nii");
    EXPECT_TRUE(SameVoxels(baseline, map)) << variant.extension << " " << variant.type;
  }
  // Lists of 3D volumes, one file per time point.
  std::vector<std::string> arguments;
  for (const auto & path : WriteVolumes(files.reference, files.directory / "ref", ".nii.gz"))
    arguments.insert(arguments.end(), { "--reference", path });
  for (const auto & path : WriteVolumes(files.generated, files.directory / "gen", ".mha"))
    arguments.insert(arguments.end(), { "--generated", path });
  EXPECT_TRUE(SameVoxels(baseline, RunKL(arguments, files.directory / "list.nii")));
}

TEST(VoxelKLDivergenceApp, SameBitsForAnyTilesAndThreads)
{
  PairFiles  files;
  const auto baseline =
    RunKL({ "--reference", files.referenceFile, "--generated", files.generatedFile, "--threads", "1" },
          files.directory / "base.nii");
  // NIfTI is read volume by volume; MetaImage streams through the ITK filter in tiles.
  WriteSeries(files.reference, files.directory / "reference.mha");
  WriteSeries(files.generated, files.directory / "generated.mha");
  for (const char * tiles : { "0", "1", "3", "4" })
  {
    for (const char * threads : { "1", "2", "3" })
    {
      const auto map = RunKL({ "--reference",
                               files.directory / "reference.mha",
                               "--generated",
                               files.directory / "generated.mha",
                               "--tiles",
                               tiles,
                               "--threads",
                               threads },
                             files.directory / "kl.nii");
      EXPECT_TRUE(SameVoxels(baseline, map)) << tiles << " tiles, " << threads << " threads";
    }
    const auto volumes =
      RunKL({ "--reference", files.referenceFile, "--generated", files.generatedFile, "--threads", tiles },
            files.directory / "volumes.nii");
    EXPECT_TRUE(SameVoxels(baseline, volumes)) << tiles << " threads, volume by volume";
  }
}

TEST(VoxelKLDivergenceApp, MaskRestrictsComputation)
{
  PairFiles files;
  WriteMask(files.reference, files.directory / "mask.nii.gz", [](long x, long, long) { return x >= 3 ? 1 : 0; });
  const auto map = RunKL({ "--reference",
                           files.referenceFile,
                           "--generated",
                           files.generatedFile,
                           "--mask",
                           files.directory / "mask.nii.gz",
                           "--summary",
                           files.directory / "s.json" },
                         files.directory / "kl.nii");
  EXPECT_EQ(map->GetPixel(Volume::IndexType{ { 2, 3, 1 } }), 0.0);
  EXPECT_GT(map->GetPixel(Volume::IndexType{ { 3, 3, 1 } }), 0.0);
  std::ifstream  stream(files.directory / "s.json");
  nlohmann::json summary = nlohmann::json::parse(stream);
  EXPECT_EQ(summary["voxels"]["inMask"], 4 * 5 * 4);
  EXPECT_EQ(summary["voxels"]["valid"], 4 * 5 * 4);
}

} // namespace

namespace
{
using namespace voxelkl::test;

TEST(VoxelKLDivergenceApp, SeveralVoxelTilesMatchTheVolumePath)
{
  // 48 x 40 x 30 = 57600 voxels: two tiles of uncompressed NIfTI (32768 voxels each), with a
  // mask and NaN samples, against the same data read volume by volume from .nii.gz.
  TemporaryDirectory directory("kl-voxel-tiles");
  auto               value = [](long x, long y, long z, long t) {
    if ((x * 7 + y * 3 + z) % 97 == 5 && t % 4 == 0)
      return std::numeric_limits<double>::quiet_NaN();
    return 500.0 + x + 0.5 * y + ((x * 31 + y * 17 + z * 13 + t * 7) % 23) * (1 + z % 3);
  };
  const auto reference = MakeSeries({ 48, 40, 30, 9 }, value);
  const auto generated =
    MakeSeries({ 48, 40, 30, 7 }, [&](long x, long y, long z, long t) { return 0.7 * value(x, y, z, t + 2) + 150.0; });
  WriteMask(reference, directory / "mask.nii", [](long x, long y, long) { return (x + y) % 5 != 0; });
  std::vector<Volume::Pointer> maps;
  for (const std::string extension : { ".nii", ".nii.gz" })
  {
    WriteSeries(reference, directory / ("r" + extension));
    WriteSeries(generated, directory / ("g" + extension));
    maps.push_back(RunKL({ "--reference",
                           directory / ("r" + extension),
                           "--generated",
                           directory / ("g" + extension),
                           "--mask",
                           directory / "mask.nii",
                           "--summary",
                           directory / ("s" + extension + ".json") },
                         directory / ("kl" + extension)));
    fs::remove(directory / ("r" + extension));
    fs::remove(directory / ("g" + extension));
  }
  EXPECT_TRUE(SameVoxels(maps[0], maps[1]));
  std::ifstream  tiles(directory / "s.nii.json");
  std::ifstream  volumes(directory / "s.nii.gz.json");
  nlohmann::json a = nlohmann::json::parse(tiles);
  nlohmann::json b = nlohmann::json::parse(volumes);
  EXPECT_EQ(a["options"]["readMode"], "voxel tiles");
  EXPECT_EQ(b["options"]["readMode"], "volumes");
  EXPECT_EQ(a["voxels"], b["voxels"]);
  EXPECT_EQ(a["skippedNonFiniteSamples"], b["skippedNonFiniteSamples"]);
  EXPECT_GT(a["skippedNonFiniteSamples"].get<int>(), 0);
}

} // namespace

namespace
{
using namespace voxelkl::test;

TEST(VoxelKLDivergenceApp, RegionTableOfTheKLMap)
{
  PairFiles files;
  // Three regions along x (labels 1..3), 0 at x = 0.
  WriteMask(files.reference, files.directory / "atlas.nii.gz", [](long x, long, long) { return (x + 1) / 2; });
  std::ofstream(files.directory / "names.txt") << "1\tleft part\n2\tmiddle\n3\tright part\n";
  const auto result = RunProgram(VOXELKL_KL_EXECUTABLE,
                                 { "--reference",
                                   files.referenceFile,
                                   "--generated",
                                   files.generatedFile,
                                   "--output",
                                   files.directory / "kl.nii",
                                   "--labels",
                                   files.directory / "atlas.nii.gz",
                                   "--labelNames",
                                   files.directory / "names.txt",
                                   "--regionTable",
                                   files.directory / "regions.tsv" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto map = ReadVolume(files.directory / "kl.nii");
  // Mean KL of region 2 (x = 3, 4), over valid voxels, computed here from the map.
  double sum = 0;
  int    count = 0;
  for (long z = 0; z < Size[2]; ++z)
    for (long y = 0; y < Size[1]; ++y)
      for (long x = 3; x <= 4; ++x)
      {
        sum += map->GetPixel(Volume::IndexType{ { x, y, z } });
        ++count;
      }
  std::ifstream table(files.directory / "regions.tsv");
  std::string   header, line;
  std::getline(table, header);
  EXPECT_EQ(header.rfind("label\tname\tvoxels\tkl_count\tkl_mean\t", 0), 0u) << header;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(table, line))
  {
    std::vector<std::string> cells;
    std::stringstream        stream(line);
    for (std::string cell; std::getline(stream, cell, '\t');)
      cells.push_back(cell);
    rows.push_back(cells);
  }
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][1], "middle");
  EXPECT_EQ(rows[1][2], std::to_string(count));
  EXPECT_NEAR(std::stod(rows[1][4]), sum / count, 1e-9);
  EXPECT_TRUE(fs::exists(files.directory / "regions.schema.tsv"));
  // The table needs an atlas and the atlas a table.
  const auto lonely = RunProgram(VOXELKL_KL_EXECUTABLE,
                                 { "--reference",
                                   files.referenceFile,
                                   "--generated",
                                   files.generatedFile,
                                   "--output",
                                   files.directory / "kl2.nii",
                                   "--labels",
                                   files.directory / "atlas.nii.gz" });
  EXPECT_EQ(lonely.exitCode, 1);
  EXPECT_NE(lonely.err.find("--regionTable"), std::string::npos) << lonely.err;
  EXPECT_FALSE(fs::exists(files.directory / "kl2.nii"));
}

} // namespace
