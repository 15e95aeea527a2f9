// ConnectivityAgreement on files: the matrices, the region time series, the profile map,
// the summary and the return values against brute-force loops over the values written;
// the same bytes for 1 and 2 threads; every error path with one line and no output.
#include "TestFiles.h"

#include "itkImageFileWriter.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr long   X = 7, Y = 6, Z = 4;
constexpr long   ReferenceLength = 24, GeneratedLength = 18;

// Regions 1-4 by quadrant of (x, y), region 5 the column x == 6 (constant in the generated
// series), region 7 only where the mask is 0; background at z == 0, y == 0.
int
Label(long x, long y, long z)
{
  if (x == 0 && y == 5)
  {
    return 7;
  }
  if (z == 0 && y == 0)
  {
    return 0;
  }
  if (x == 6)
  {
    return 5;
  }
  return 1 + (x >= 3 ? 1 : 0) + (y >= 3 ? 2 : 0);
}

int
Inside(long x, long y, long)
{
  return x == 0 && y == 5 ? 0 : 1;
}

double
Value(long x, long y, long z, long t, bool reference)
{
  const int label = Label(x, y, z);
  if (!reference && label == 5)
  {
    return 321.5; // constant: its correlations do not exist
  }
  if (x == 2 && y == 4 && z == 2 && t == 3)
  {
    return NaN; // skipped
  }
  const double global = std::sin((reference ? 0.4 : 0.31) * t);
  const double own = HashNoise(label, 0, 0, t, reference ? 11 : 12);
  return 500.0 + 7.0 * label + 3.0 * (0.25 * label * global + own) + 0.7 * HashNoise(x, y, z, t, reference ? 13 : 14);
}

std::vector<std::vector<std::string>>
ReadTable(const std::string & path)
{
  std::ifstream                         file(path);
  std::vector<std::vector<std::string>> rows;
  std::string                           line;
  while (std::getline(file, line))
  {
    std::vector<std::string> cells;
    std::stringstream        stream(line);
    std::string              cell;
    while (std::getline(stream, cell, '\t'))
    {
      cells.push_back(cell);
    }
    rows.push_back(cells);
  }
  return rows;
}

nlohmann::json
ReadJson(const std::string & path)
{
  std::ifstream file(path);
  return nlohmann::json::parse(file);
}

// Region means of the values as stored (float32), by brute force.
std::vector<double>
RegionMeans(int label, bool reference)
{
  std::vector<double> means;
  for (long t = 0; t < (reference ? ReferenceLength : GeneratedLength); ++t)
  {
    double sum = 0.0;
    long   count = 0;
    for (long z = 0; z < Z; ++z)
      for (long y = 0; y < Y; ++y)
        for (long x = 0; x < X; ++x)
        {
          const double value = static_cast<float>(Value(x, y, z, t, reference));
          if (Label(x, y, z) == label && Inside(x, y, z) && std::isfinite(value))
          {
            sum += value;
            ++count;
          }
        }
    means.push_back(sum / static_cast<double>(count));
  }
  return means;
}

double
Pearson(const std::vector<double> & a, const std::vector<double> & b)
{
  double ma = 0.0, mb = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k)
  {
    ma += a[k];
    mb += b[k];
  }
  ma /= static_cast<double>(a.size());
  mb /= static_cast<double>(b.size());
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k)
  {
    sab += (a[k] - ma) * (b[k] - mb);
    saa += (a[k] - ma) * (a[k] - ma);
    sbb += (b[k] - mb) * (b[k] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// The value of a `name = value` return parameter line.
double
ReturnValue(const std::string & out, const std::string & name)
{
  const auto where = out.find("\n" + name + " = ");
  if (where == std::string::npos)
  {
    ADD_FAILURE() << "no " << name << " in " << out;
    return NaN;
  }
  return std::stod(out.substr(where + name.size() + 4));
}

struct Inputs
{
  TemporaryDirectory directory{ "connectivity-e2e" };
  Inputs()
  {
    const auto reference =
      MakeSeries({ X, Y, Z, ReferenceLength }, [](long x, long y, long z, long t) { return Value(x, y, z, t, true); });
    WriteSeries(reference, directory / "ref.nii.gz");
    WriteSeries(
      MakeSeries({ X, Y, Z, GeneratedLength }, [](long x, long y, long z, long t) { return Value(x, y, z, t, false); }),
      directory / "gen.nii.gz");
    WriteMask(reference, directory / "labels.nii.gz", Label);
    WriteMask(reference, directory / "mask.nii.gz", Inside);
    std::ofstream(directory / "names.txt")
      << "1 left front\n2 right_front\n3 LeftBack\n4 RightBack\n5 Column\n7 Hidden\n";
  }
  std::vector<std::string>
  Arguments(const std::string & out) const
  {
    return { "--reference",
             directory / "ref.nii.gz",
             "--generated",
             directory / "gen.nii.gz",
             "--mask",
             directory / "mask.nii.gz",
             "--labels",
             directory / "labels.nii.gz",
             "--labelNames",
             directory / "names.txt",
             "--referenceMatrix",
             out + "/ref.tsv",
             "--generatedMatrix",
             out + "/gen.tsv",
             "--timeSeries",
             out + "/series.tsv",
             "--profileCorrelation",
             out + "/profile.nii.gz",
             "--summary",
             out + "/fc.json" };
  }
};

const Inputs &
TheInputs()
{
  static const Inputs inputs;
  return inputs;
}

TEST(ConnectivityAgreement, EveryOutputAgainstBruteForce)
{
  TemporaryDirectory out("connectivity-e2e-out");
  const auto         result = RunProgram(VOXELKL_CONNECTIVITY_EXECUTABLE, TheInputs().Arguments(out.Path()));
  ASSERT_EQ(result.exitCode, 0) << result.err;
  // The constant region is left out and counted, with a warning; no other message.
  EXPECT_EQ(result.err,
            "ConnectivityAgreement: warning: 2 of the 6 regions left out: 1 without a voxel in the mask, 0 without a "
            "finite value, 1 constant over time (the summary lists them)\n");

  const std::vector<int>           used{ 1, 2, 3, 4 };
  const std::vector<std::string>   names{ "left front", "right_front", "LeftBack", "RightBack" };
  std::vector<std::vector<double>> zr(4, std::vector<double>(4)), zg(4, std::vector<double>(4));
  for (const bool reference : { true, false })
  {
    const auto table = ReadTable(out / (reference ? "ref.tsv" : "gen.tsv"));
    ASSERT_EQ(table.size(), 5u);
    EXPECT_EQ(table[0],
              (std::vector<std::string>{ "label", "name", "left front", "right_front", "LeftBack", "RightBack" }));
    for (std::size_t i = 0; i < 4; ++i)
    {
      ASSERT_EQ(table[i + 1].size(), 6u);
      EXPECT_EQ(table[i + 1][0], std::to_string(used[i]));
      EXPECT_EQ(table[i + 1][1], names[i]);
      for (std::size_t j = 0; j < 4; ++j)
      {
        const double r = std::stod(table[i + 1][j + 2]);
        if (i == j)
        {
          EXPECT_EQ(r, 1.0);
          continue;
        }
        const double expected = Pearson(RegionMeans(used[i], reference), RegionMeans(used[j], reference));
        EXPECT_NEAR(r, expected, 1e-12) << (reference ? "reference " : "generated ") << i << ", " << j;
        (reference ? zr : zg)[i][j] = std::atanh(expected);
      }
    }
    const auto schema = ReadTable(out / (reference ? "ref.schema.tsv" : "gen.schema.tsv"));
    ASSERT_EQ(schema.size(), 7u);
    EXPECT_EQ(schema[1][0], "label");
    EXPECT_EQ(schema[3][0], "left front");
    EXPECT_EQ(schema[3][1], "double");
  }

  // Summary: regions, agreement, Gaussian KL.
  const auto summary = ReadJson(out / "fc.json");
  EXPECT_EQ(summary["tool"], "ConnectivityAgreement");
  EXPECT_EQ(summary["regions"]["atlas"], 6);
  EXPECT_EQ(summary["regions"]["used"], 4);
  EXPECT_EQ(summary["regions"]["excluded"], 2);
  EXPECT_EQ(summary["regions"]["noVoxelInMask"], 1);
  EXPECT_EQ(summary["regions"]["constant"]["generated"], 1);
  EXPECT_EQ(summary["regions"]["constant"]["reference"], 0);
  const auto & list = summary["regions"]["regions"];
  ASSERT_EQ(list.size(), 6u);
  EXPECT_EQ(list[4]["status"], "constant");
  EXPECT_EQ(list[4]["series"], "generated");
  EXPECT_EQ(list[4]["name"], "Column");
  EXPECT_EQ(list[5]["status"], "no voxel in the mask");
  EXPECT_EQ(list[5]["voxels"], 0);
  EXPECT_EQ(summary["timePoints"]["reference"]["used"], ReferenceLength);
  EXPECT_EQ(summary["timePoints"]["generated"]["used"], GeneratedLength);
  EXPECT_EQ(summary["nonFiniteSamples"]["reference"], 1);
  std::vector<double> upperR, upperG;
  double              squares = 0.0;
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = i + 1; j < 4; ++j)
    {
      upperR.push_back(zr[i][j]);
      upperG.push_back(zg[i][j]);
      squares += (zg[i][j] - zr[i][j]) * (zg[i][j] - zr[i][j]);
    }
  const auto & connectivity = summary["connectivity"];
  EXPECT_EQ(connectivity["pairs"], 6);
  EXPECT_NEAR(connectivity["matrixSimilarity"].get<double>(), Pearson(upperR, upperG), 1e-10);
  EXPECT_NEAR(connectivity["meanSquaredZDifference"].get<double>(), squares / 6.0, 1e-10);
  std::map<int, double> profiles;
  for (std::size_t i = 0; i < 4; ++i)
  {
    std::vector<double> a, b;
    for (std::size_t j = 0; j < 4; ++j)
      if (j != i)
      {
        a.push_back(zr[i][j]);
        b.push_back(zg[i][j]);
      }
    profiles[used[i]] = list[i]["profileCorrelation"].get<double>();
    EXPECT_NEAR(profiles[used[i]], Pearson(a, b), 1e-10) << "region " << used[i];
  }
  const auto & gaussian = summary["gaussianKL"];
  EXPECT_EQ(gaussian["direction"], "forward");
  EXPECT_EQ(gaussian["value"], gaussian["forward"]);
  EXPECT_GT(gaussian["forward"].get<double>(), 0.0);
  EXPECT_GT(gaussian["reference"]["shrinkage"].get<double>(), 0.0);
  EXPECT_LE(gaussian["reference"]["shrinkage"].get<double>(), 1.0);
  EXPECT_EQ(gaussian["dimensions"], 4);

  // The profile map: each used region's value on its voxels inside the mask, 0 elsewhere.
  const auto map = ReadVolume(out / "profile.nii.gz");
  for (long z = 0; z < Z; ++z)
    for (long y = 0; y < Y; ++y)
      for (long x = 0; x < X; ++x)
      {
        const double value = map->GetPixel({ { x, y, z } });
        const int    label = Label(x, y, z);
        const double expected = profiles.count(label) && Inside(x, y, z) ? static_cast<float>(profiles[label]) : 0.0;
        EXPECT_EQ(value, expected) << x << ", " << y << ", " << z;
      }

  // The region time series: both series, every region with voxels in the mask (the
  // constant one too).
  const auto series = ReadTable(out / "series.tsv");
  ASSERT_EQ(series.size(), static_cast<std::size_t>(1 + ReferenceLength + GeneratedLength));
  EXPECT_EQ(series[0],
            (std::vector<std::string>{
              "series", "volume", "kept", "left front", "right_front", "LeftBack", "RightBack", "Column" }));
  for (std::size_t row = 1; row < series.size(); ++row)
  {
    const bool        reference = row <= static_cast<std::size_t>(ReferenceLength);
    const std::size_t t = reference ? row - 1 : row - 1 - ReferenceLength;
    EXPECT_EQ(series[row][0], reference ? "reference" : "generated");
    EXPECT_EQ(series[row][1], std::to_string(t));
    EXPECT_EQ(series[row][2], "1");
    for (int label = 1; label <= 5; ++label)
    {
      EXPECT_NEAR(std::stod(series[row][2 + label]), RegionMeans(label, reference)[t], 1e-12 * 600.0);
    }
  }

  // Return values on stdout, as the summary says.
  EXPECT_EQ(ReturnValue(result.out, "gaussianKL"), gaussian["forward"].get<double>());
  EXPECT_EQ(ReturnValue(result.out, "matrixSimilarity"), connectivity["matrixSimilarity"].get<double>());
  EXPECT_EQ(ReturnValue(result.out, "meanSquaredZDifference"), connectivity["meanSquaredZDifference"].get<double>());
  EXPECT_EQ(ReturnValue(result.out, "regionsUsed"), 4.0);
  EXPECT_EQ(ReturnValue(result.out, "regionsExcluded"), 2.0);
}

TEST(ConnectivityAgreement, DirectionsOfTheGaussianKL)
{
  TemporaryDirectory out("connectivity-e2e-direction");
  for (const std::string direction : { "reverse", "symmetric" })
  {
    auto arguments = TheInputs().Arguments(out.Path());
    arguments.insert(arguments.end(), { "--direction", direction });
    const auto result = RunProgram(VOXELKL_CONNECTIVITY_EXECUTABLE, arguments);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto gaussian = ReadJson(out / "fc.json")["gaussianKL"];
    EXPECT_EQ(gaussian["direction"], direction);
    const double value = gaussian["value"].get<double>();
    EXPECT_EQ(value,
              direction == "reverse" ? gaussian["reverse"].get<double>()
                                     : gaussian["forward"].get<double>() + gaussian["reverse"].get<double>());
    EXPECT_EQ(ReturnValue(result.out, "gaussianKL"), value);
  }
}

// Regions of more than one chunk (16384 voxels) summed on 1 and 2 threads: the same bytes in
// every output (the summary differs only in options.threads).
TEST(ConnectivityAgreement, SameBytesForOneAndTwoThreads)
{
  TemporaryDirectory directory("connectivity-threads");
  // Region 1: x < 40, 30720 voxels (two chunks); 2, 3, 4: the rest in three pieces.
  const auto large = [](long x, long y, long z) { return x < 40 ? 1 : y < 24 ? 2 : z < 8 ? 3 : 4; };
  auto       value = [large](long x, long y, long z, long t, long salt) {
    const int label = large(x, y, z);
    return 100.0 + label + std::sin(0.3 * t * label) + HashNoise(label, 0, 0, t, salt) +
           0.5 * HashNoise(x, y, z, t, salt + 1);
  };
  const auto reference =
    MakeSeries({ 64, 48, 16, 12 }, [value](long x, long y, long z, long t) { return value(x, y, z, t, 1); });
  WriteSeries(reference, directory / "ref.nii");
  WriteSeries(MakeSeries({ 64, 48, 16, 9 }, [value](long x, long y, long z, long t) { return value(x, y, z, t, 5); }),
              directory / "gen.nii.gz");
  WriteMask(reference, directory / "labels.nii.gz", large);
  std::map<std::string, std::string> previous;
  for (const std::string threads : { "1", "2" })
  {
    const std::string out = directory / ("out" + threads);
    fs::create_directories(out);
    const auto result = RunProgram(VOXELKL_CONNECTIVITY_EXECUTABLE,
                                   { "--reference",
                                     directory / "ref.nii",
                                     "--generated",
                                     directory / "gen.nii.gz",
                                     "--labels",
                                     directory / "labels.nii.gz",
                                     "--referenceMatrix",
                                     out + "/ref.tsv",
                                     "--generatedMatrix",
                                     out + "/gen.tsv",
                                     "--timeSeries",
                                     out + "/series.tsv",
                                     "--profileCorrelation",
                                     out + "/profile.nii",
                                     "--summary",
                                     out + "/fc.json",
                                     "--threads",
                                     threads });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    std::map<std::string, std::string> files;
    for (const auto & entry : fs::directory_iterator(out))
    {
      std::ifstream      file(entry.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << file.rdbuf();
      files[entry.path().filename().string()] = bytes.str();
    }
    auto summary = nlohmann::json::parse(files.at("fc.json"));
    EXPECT_EQ(summary["regions"]["used"], 4);
    summary["options"].erase("threads");
    files["fc.json"] = summary.dump();
    if (!previous.empty())
    {
      EXPECT_EQ(files.size(), previous.size());
      for (const auto & [name, bytes] : files)
      {
        EXPECT_TRUE(bytes == previous[name]) << name << " differs between 1 and 2 threads";
      }
    }
    previous = files;
  }
}

// The real AAL atlas (MRIcron's 1 mm aal.nii.gz, fetched by CMake/fetch-test-data.sh;
// skipped when absent) resampled onto the 2 mm MNI152 grid of a series of 8 volumes: all
// 116 regions compared, T far below the number of regions (the Ledoit-Wolf covariances are
// what keeps the Gaussian KL finite).
TEST(ConnectivityAgreement, TheAalAtlasOnTheMni2mmGrid)
{
  const std::string data = TestDataDirectory();
  const std::string atlas = data.empty() ? "" : data + "/aal.nii.gz";
  const std::string names = data.empty() ? "" : data + "/aal.nii.txt";
  if (atlas.empty() || !fs::exists(atlas) || !fs::exists(names))
  {
    GTEST_SKIP() << "aal.nii.gz / aal.nii.txt not fetched (CMake/fetch-test-data.sh)";
  }
  TemporaryDirectory directory("connectivity-aal");
  for (const bool reference : { true, false })
  {
    // 91x109x91 at 2 mm, RAS origin (-90, -126, -72): LPS origin (90, 126, -72), direction
    // diag(-1, -1, 1), as VoxelKLDemoPair writes it.
    auto         series = itk::Image<float, 4>::New();
    itk::Size<4> size{ { 91, 109, 91, 8 } };
    series->SetRegions(itk::ImageRegion<4>(size));
    itk::Vector<double, 4> spacing;
    spacing.Fill(2.0);
    series->SetSpacing(spacing);
    itk::Point<double, 4> origin;
    origin[0] = 90.0;
    origin[1] = 126.0;
    origin[2] = -72.0;
    origin[3] = 0.0;
    series->SetOrigin(origin);
    itk::Matrix<double, 4, 4> direction;
    direction.SetIdentity();
    direction[0][0] = -1.0;
    direction[1][1] = -1.0;
    series->SetDirection(direction);
    series->Allocate();
    float *   out = series->GetBufferPointer();
    const int salt = reference ? 1 : 2;
    for (long t = 0; t < 8; ++t)
      for (long z = 0; z < 91; ++z)
        for (long y = 0; y < 109; ++y)
          for (long x = 0; x < 91; ++x)
            *out++ = static_cast<float>(1000.0 + 5.0 * std::sin(0.7 * t * (1.0 + x / 20.0) + y / 15.0 + salt) +
                                        HashNoise(x, y, z, t, salt));
    auto writer = itk::ImageFileWriter<itk::Image<float, 4>>::New();
    writer->SetInput(series);
    writer->SetFileName(directory / (reference ? "ref.nii" : "gen.nii"));
    writer->Update();
  }
  const auto result = RunProgram(VOXELKL_CONNECTIVITY_EXECUTABLE,
                                 { "--reference",
                                   directory / "ref.nii",
                                   "--generated",
                                   directory / "gen.nii",
                                   "--labels",
                                   atlas,
                                   "--labelNames",
                                   names,
                                   "--referenceMatrix",
                                   directory / "fc.tsv",
                                   "--summary",
                                   directory / "fc.json" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.err.find("resampled from 181x217x181 voxels of 1x1x1 mm"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("116 of its 116 labels have voxels there"), std::string::npos) << result.err;
  const auto table = ReadTable(directory / "fc.tsv");
  ASSERT_EQ(table.size(), 117u);
  EXPECT_EQ(table[0][2], "Precentral_L");
  EXPECT_EQ(table[0][117], "Vermis_10");
  EXPECT_EQ(table[116][1], "Vermis_10");
  const auto summary = ReadJson(directory / "fc.json");
  EXPECT_EQ(summary["regions"]["used"], 116);
  EXPECT_EQ(summary["inputs"]["labels"]["resampled"], true);
  EXPECT_GT(summary["gaussianKL"]["reference"]["shrinkage"].get<double>(), 0.0);
  EXPECT_TRUE(summary["gaussianKL"]["forward"].is_number()) << summary["gaussianKL"].dump();
  EXPECT_TRUE(summary["connectivity"]["matrixSimilarity"].is_number());
}

} // namespace
