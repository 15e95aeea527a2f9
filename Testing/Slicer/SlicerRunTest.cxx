// The executables run the way 3D Slicer runs them (notes: slicer-cli.md, sections 3-5):
// separate tokens in XML order, --returnparameterfile first, optional flags omitted,
// ITK_AUTOLOAD_PATH emptied, stdout read through a pipe for progress tags.
#include "NrrdFixtures.h"
#include "TestFiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace
{
using namespace voxelkl::test;

double
Reference(long x, long y, long z, long t)
{
  return 100.0 + x + 2.0 * y + 3.0 * z + ((x * 7 + y * 3 + z * 5 + t * 11) % 13) * (1 + x % 2);
}

double
Generated(long x, long y, long z, long t)
{
  return 102.0 + x + 2.0 * y + 3.0 * z + ((x * 5 + y * 7 + z * 3 + t * 17) % 11) * (1 + y % 2);
}

struct SlicerFiles
{
  TemporaryDirectory directory{ "slicer-run" };
  std::string        reference = directory / "EHBB_vtkMRMLSequenceNodeB.nrrd";
  std::string        generated = directory / "EHBB_vtkMRMLMultiVolumeNodeC.nrrd";
  std::string        map = directory / "EHBB_vtkMRMLScalarVolumeNodeD.nrrd";
  std::string        parameters = directory / "4711_a8Kq2ZpL0x.params";
  SlicerFiles()
  {
    WriteSlicerNrrd(MakeSeries({ 6, 5, 4, 21 }, Reference), reference, SlicerNrrdLayout::Sequence, { "int16", true });
    WriteSlicerNrrd(MakeSeries({ 6, 5, 4, 19 }, Generated), generated, SlicerNrrdLayout::MultiVolume);
  }
};

// `name = value` lines as SEM's ModuleDescription::ReadParameterFile reads them: the key is
// the text before the first '=', trimmed.
std::map<std::string, std::string>
ReadParameterFile(const std::string & path)
{
  std::map<std::string, std::string> values;
  std::ifstream                      stream(path);
  EXPECT_TRUE(stream.good()) << path;
  const auto trim = [](std::string text) {
    text.erase(0, text.find_first_not_of(" \t"));
    text.erase(text.find_last_not_of(" \t\r") + 1);
    return text;
  };
  for (std::string line; std::getline(stream, line);)
  {
    const std::size_t equals = line.find('=');
    EXPECT_NE(equals, std::string::npos) << line;
    if (equals != std::string::npos)
    {
      EXPECT_TRUE(values.emplace(trim(line.substr(0, equals)), trim(line.substr(equals + 1))).second) << line;
    }
  }
  return values;
}

// The fractions of the `<filter-progress>` tags in out; every tag line must be whole.
std::vector<double>
ProgressFractions(const std::string & out)
{
  std::vector<double> fractions;
  std::istringstream  lines(out);
  for (std::string line; std::getline(lines, line);)
  {
    if (line.find("<filter-progress>") == std::string::npos)
    {
      continue;
    }
    EXPECT_EQ(line.rfind("<filter-progress>", 0), 0u) << line;
    EXPECT_EQ(line.find("</filter-progress>"), line.size() - 18) << line;
    fractions.push_back(std::stod(line.substr(17)));
  }
  return fractions;
}

TEST(SlicerRun, KLReturnParametersAndProgress)
{
  SlicerFiles files;
  // Slicer's order: --returnparameterfile, then flagged parameters in XML order with
  // their defaults; the unselected mask and summary and the empty varianceFloor omitted.
  const auto result = RunProgram("env",
                                 { "-u",
                                   "VOXELKL_PROGRESS",
                                   "ITK_AUTOLOAD_PATH=",
                                   VOXELKL_KL_EXECUTABLE,
                                   "--returnparameterfile",
                                   files.parameters,
                                   "--reference",
                                   files.reference,
                                   "--generated",
                                   files.generated,
                                   "--output",
                                   files.map,
                                   "--direction",
                                   "forward",
                                   "--threads",
                                   "0",
                                   "--tiles",
                                   "0" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, ""); // Slicer logs any stderr as an error

  const auto fractions = ProgressFractions(result.out);
  ASSERT_GE(fractions.size(), 2u) << result.out;
  EXPECT_EQ(fractions.front(), 0.0);
  EXPECT_EQ(fractions.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  EXPECT_NE(result.out.find("<filter-start>\n<filter-name>"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("</filter-end>\n"), std::string::npos) << result.out;
  // With a return parameter file the values go there, not to stdout.
  EXPECT_EQ(result.out.find("meanKL ="), std::string::npos) << result.out;

  const auto values = ReadParameterFile(files.parameters);
  for (const char * name : { "meanKL", "medianKL", "validVoxels", "constantVoxels" })
  {
    EXPECT_EQ(values.count(name), 1u) << name;
  }
  // Against the map itself: no voxel is constant here, so every voxel is valid.
  const auto          map = ReadVolume(files.map);
  const std::size_t   voxels = map->GetLargestPossibleRegion().GetNumberOfPixels();
  std::vector<double> kl(map->GetBufferPointer(), map->GetBufferPointer() + voxels);
  double              sum = 0.0;
  for (const double value : kl)
  {
    sum += value;
  }
  EXPECT_EQ(values.at("validVoxels"), std::to_string(voxels));
  EXPECT_EQ(values.at("constantVoxels"), "0");
  const double meanKL = std::stod(values.at("meanKL"));
  EXPECT_GT(meanKL, 0.0);
  EXPECT_NEAR(meanKL, sum / static_cast<double>(voxels), 1e-6 * meanKL);
  std::nth_element(kl.begin(), kl.begin() + voxels / 2, kl.end());
  const double upper = kl[voxels / 2];
  const double lower = *std::max_element(kl.begin(), kl.begin() + voxels / 2);
  const double medianKL = std::stod(values.at("medianKL"));
  EXPECT_NEAR(medianKL, voxels % 2 == 0 ? 0.5 * (lower + upper) : upper, 1e-6 * medianKL);
}

TEST(SlicerRun, MomentsProgressWithoutReturnParameters)
{
  // VoxelMoments has no return value: Slicer passes no --returnparameterfile, and its
  // empty ITK_AUTOLOAD_PATH is the sign.
  SlicerFiles       files;
  const std::string mean = files.directory / "EHBB_vtkMRMLScalarVolumeNodeE.nrrd";
  const auto        result = RunProgram("env",
                                 { "-u",
                                          "VOXELKL_PROGRESS",
                                          "ITK_AUTOLOAD_PATH=",
                                          VOXELKL_MOMENTS_EXECUTABLE,
                                          "--input",
                                          files.generated,
                                          "--mean",
                                          mean,
                                          "--threads",
                                          "0",
                                          "--tiles",
                                          "0" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "");
  const auto fractions = ProgressFractions(result.out);
  ASSERT_FALSE(fractions.empty()) << result.out;
  EXPECT_EQ(fractions.back(), 1.0);
}

TEST(SlicerRun, RegionStatisticsProgress)
{
  SlicerFiles       files;
  const auto        series = MakeSeries({ 6, 5, 4, 3 }, Reference);
  const std::string labels = files.directory / "EHBB_vtkMRMLLabelMapVolumeNodeF.nrrd";
  const std::string table = files.directory / "EHBB_vtkMRMLTableNodeG.tsv";
  WriteMask(series, labels, [](long x, long y, long) { return 1 + (x + y) % 3; });
  WriteMask(series, files.map, [](long x, long y, long z) { return x * y + z; });
  const auto result = RunProgram("env",
                                 { "-u",
                                   "VOXELKL_PROGRESS",
                                   "ITK_AUTOLOAD_PATH=",
                                   VOXELKL_REGIONS_EXECUTABLE,
                                   "--input",
                                   files.map,
                                   "--labels",
                                   labels,
                                   "--mapName",
                                   "value",
                                   "--table",
                                   table });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "");
  const auto fractions = ProgressFractions(result.out);
  ASSERT_GE(fractions.size(), 2u) << result.out;
  EXPECT_EQ(fractions.front(), 0.0);
  EXPECT_EQ(fractions.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
}

TEST(SlicerRun, NoTagsWithoutSlicer)
{
  // stdout and stderr redirected to files, no Slicer sign: no bar, no tags.
  SlicerFiles files;
  const auto  result = RunProgram("env",
                                 { "-u",
                                    "VOXELKL_PROGRESS",
                                    "-u",
                                    "ITK_AUTOLOAD_PATH",
                                    VOXELKL_KL_EXECUTABLE,
                                    "--reference",
                                    files.reference,
                                    "--generated",
                                    files.generated,
                                    "--output",
                                    files.map });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_EQ(result.out.find("<filter-"), std::string::npos) << result.out;
  // Standalone, the return values are printed instead.
  EXPECT_NE(result.out.find("meanKL = "), std::string::npos) << result.out;
}

TEST(SlicerRun, BadInputFailsWithOneLineOnStderr)
{
  SlicerFiles files;
  const auto  result = RunProgram("env",
                                 { "ITK_AUTOLOAD_PATH=",
                                    VOXELKL_KL_EXECUTABLE,
                                    "--returnparameterfile",
                                    files.parameters,
                                    "--reference",
                                    files.directory / "missing.nrrd",
                                    "--generated",
                                    files.generated,
                                    "--output",
                                    files.map });
  EXPECT_NE(result.exitCode, 0);
  EXPECT_NE(result.err.find("missing.nrrd"), std::string::npos) << result.err;
  EXPECT_FALSE(std::ifstream(files.map).good()); // Slicer loads nothing after a failure
}

} // namespace
