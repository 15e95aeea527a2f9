// SpatialKLDivergence on files: per-volume KL against a brute-force double softmax written
// here, the summary and the combined loss, bit-identical results for any thread count and
// read path, and the error paths.
#include "TestFiles.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// Deterministic noise in [-1, 1].
double
Noise(long x, long y, long z, long t, long salt)
{
  unsigned long h = static_cast<unsigned long>(x * 73856093L ^ y * 19349663L ^ z * 83492791L ^ t * 2654435761L ^ salt);
  h ^= h >> 13;
  h *= 0x5bd1e995UL;
  h ^= h >> 15;
  return static_cast<double>(h % 2001) / 1000.0 - 1.0;
}

// z-scored-like values (a spatial pattern that drifts over time, plus noise) and a
// generated series that is a flattened, noisy copy; voxel (2, 1, 0) of generated volume 3
// is NaN.
double
ReferenceValue(long x, long y, long z, long t)
{
  return std::sin(0.7 * x + 0.3 * t) + 0.5 * std::cos(0.9 * y - 0.2 * z) + 0.8 * Noise(x, y, z, t, 1);
}

double
GeneratedValue(long x, long y, long z, long t)
{
  if (x == 2 && y == 1 && z == 0 && t == 3)
  {
    return NaN;
  }
  return 0.6 * ReferenceValue(x, y, z, t) + 0.5 * Noise(x, y, z, t, 2) + 0.1 * t;
}

// Raw-BOLD-like values: ~1000 with a spread of tens.
double
BoldReference(long x, long y, long z, long t)
{
  return 1000.0 + 8.0 * x - 5.0 * y + 3.0 * z + 20.0 * Noise(x, y, z, t, 3);
}

double
BoldGenerated(long x, long y, long z, long t)
{
  return 990.0 + 6.0 * x - 4.0 * y + 3.0 * z + 12.0 * Noise(x, y, z, t, 4);
}

bool
MaskValue(long x, long y, long z)
{
  return !(x == 0 && y == 0) && !(z == 2 && x > 5); // not a rectangular mask
}

// The values as stored in float32 files, read back as double (exact).
std::vector<double>
VolumeValues(const std::array<long, 4> &                   size,
             const ValueFunction &                         f,
             long                                          t,
             const std::function<bool(long, long, long)> & inside)
{
  std::vector<double> values;
  for (long z = 0; z < size[2]; ++z)
    for (long y = 0; y < size[1]; ++y)
      for (long x = 0; x < size[0]; ++x)
        values.push_back(inside(x, y, z) ? static_cast<double>(static_cast<float>(f(x, y, z, t))) : NaN);
  return values;
}

// KL(softmax(x) || softmax(y)), textbook, in double.
double
BruteForceKL(const std::vector<double> & x, const std::vector<double> & y)
{
  auto logSumExp = [](const std::vector<double> & v) {
    const double m = *std::max_element(v.begin(), v.end());
    double       s = 0.0;
    for (const double value : v)
      s += std::exp(value - m);
    return m + std::log(s);
  };
  const double lx = logSumExp(x);
  const double ly = logSumExp(y);
  double       kl = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i)
    kl += std::exp(x[i] - lx) * ((x[i] - lx) - (y[i] - ly));
  return kl;
}

// Population mean and std.
std::pair<double, double>
MeanStd(const std::vector<double> & values)
{
  double sum = 0.0;
  for (const double v : values)
    sum += v;
  const double mean = sum / static_cast<double>(values.size());
  double       squares = 0.0;
  for (const double v : values)
    squares += (v - mean) * (v - mean);
  return { mean, std::sqrt(squares / static_cast<double>(values.size())) };
}

struct Expected
{
  std::vector<double> kl; // per volume
  double              mse{ 0 };
  double              standardizedMSE{ 0 };
};

// Everything the executable computes, the slow and obvious way.
Expected
BruteForce(const std::array<long, 4> &                   size,
           const ValueFunction &                         reference,
           const ValueFunction &                         generated,
           const std::function<bool(long, long, long)> & inside,
           const std::string &                           direction,
           const std::string &                           standardize,
           double                                        temperature)
{
  const long                       T = size[3];
  std::vector<std::vector<double>> r(T), g(T);
  for (long t = 0; t < T; ++t)
  {
    r[t] = VolumeValues(size, reference, t, inside);
    g[t] = VolumeValues(size, generated, t, inside);
  }
  const std::size_t   voxels = r[0].size();
  std::vector<double> meanR(voxels), stdR(voxels), meanG(voxels), stdG(voxels);
  if (standardize == "voxel")
  {
    for (std::size_t v = 0; v < voxels; ++v)
    {
      std::vector<double> seriesR, seriesG;
      for (long t = 0; t < T; ++t)
      {
        if (std::isfinite(r[t][v]))
          seriesR.push_back(r[t][v]);
        if (std::isfinite(g[t][v]))
          seriesG.push_back(g[t][v]);
      }
      if (!seriesR.empty())
        std::tie(meanR[v], stdR[v]) = MeanStd(seriesR);
      if (!seriesG.empty())
        std::tie(meanG[v], stdG[v]) = MeanStd(seriesG);
    }
  }
  Expected expected;
  double   squares = 0.0, standardizedSquares = 0.0, pairs = 0.0;
  for (long t = 0; t < T; ++t)
  {
    std::vector<double> a, b; // generated, reference values of the voxels in the softmax
    std::vector<double> za, zb;
    for (std::size_t v = 0; v < voxels; ++v)
    {
      if (!std::isfinite(r[t][v]) || !std::isfinite(g[t][v]))
        continue;
      a.push_back(g[t][v]);
      b.push_back(r[t][v]);
      if (standardize == "voxel")
      {
        za.push_back(stdG[v] > 0 ? (g[t][v] - meanG[v]) / stdG[v] : 0.0);
        zb.push_back(stdR[v] > 0 ? (r[t][v] - meanR[v]) / stdR[v] : 0.0);
      }
    }
    if (standardize == "none")
    {
      za = a;
      zb = b;
    }
    else if (standardize == "volume")
    {
      const auto [ma, sa] = MeanStd(a);
      const auto [mb, sb] = MeanStd(b);
      for (std::size_t i = 0; i < a.size(); ++i)
      {
        za.push_back(sa > 0 ? (a[i] - ma) / sa : 0.0);
        zb.push_back(sb > 0 ? (b[i] - mb) / sb : 0.0);
      }
    }
    for (std::size_t i = 0; i < a.size(); ++i)
    {
      squares += (a[i] - b[i]) * (a[i] - b[i]);
      standardizedSquares += (za[i] - zb[i]) * (za[i] - zb[i]);
      pairs += 1.0;
    }
    std::vector<double> la(za), lb(zb);
    for (double & value : la)
      value /= temperature;
    for (double & value : lb)
      value /= temperature;
    const double reverse = BruteForceKL(la, lb);
    const double forward = BruteForceKL(lb, la);
    expected.kl.push_back(direction == "reverse" ? reverse : direction == "forward" ? forward : reverse + forward);
  }
  expected.mse = squares / pairs;
  expected.standardizedMSE = standardizedSquares / pairs;
  return expected;
}

std::vector<double>
ReadTable(const std::string & path)
{
  std::ifstream stream(path);
  std::string   line;
  std::getline(stream, line);
  EXPECT_EQ(line, "volume\tkl");
  std::vector<double> values;
  long                expectedIndex = 0;
  while (std::getline(stream, line))
  {
    const auto tab = line.find('\t');
    EXPECT_NE(tab, std::string::npos) << line;
    EXPECT_EQ(std::stol(line.substr(0, tab)), expectedIndex++);
    values.push_back(std::strtod(line.c_str() + tab + 1, nullptr));
  }
  return values;
}

std::string
Slurp(const std::string & path)
{
  std::ifstream      stream(path, std::ios::binary);
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

nlohmann::json
ReadJson(const std::string & path)
{
  std::ifstream stream(path);
  return nlohmann::json::parse(stream);
}

ProcessResult
RunSpatialKL(const std::vector<std::string> & arguments)
{
  return RunProgram(VOXELKL_SPATIALKL_EXECUTABLE, arguments);
}

void
ExpectNear(double value, double expected, double relative, const std::string & what)
{
  EXPECT_NEAR(value, expected, relative * std::fabs(expected) + 1e-15) << what;
}

constexpr std::array<long, 4> Size{ 9, 7, 5, 6 };

struct PairFiles
{
  explicit PairFiles(const std::string & name)
    : directory(name)
  {
    WriteSeries(MakeSeries(Size, ReferenceValue), reference);
    WriteSeries(MakeSeries(Size, GeneratedValue), generated);
    WriteMask(
      MakeSeries(Size, ReferenceValue), mask, [](long x, long y, long z) { return MaskValue(x, y, z) ? 1 : 0; });
  }
  TemporaryDirectory directory;
  std::string        reference = directory / "reference.nii";
  std::string        generated = directory / "generated.nii.gz";
  std::string        mask = directory / "mask.nii.gz";
};

TEST(SpatialKLDivergenceApp, MatchesBruteForceSoftmaxForEveryOption)
{
  PairFiles files("spatial-brute");
  for (const std::string direction : { "reverse", "forward", "symmetric" })
  {
    for (const std::string standardize : { "none", "volume", "voxel" })
    {
      for (const double temperature : { 1.0, 0.5 })
      {
        const std::string what = direction + " " + standardize + " T=" + std::to_string(temperature);
        const std::string table = files.directory / "kl.tsv";
        const std::string summary = files.directory / "kl.json";
        const auto        result = RunSpatialKL({ "--reference",
                                                  files.reference,
                                                  "--generated",
                                                  files.generated,
                                                  "--mask",
                                                  files.mask,
                                                  "--direction",
                                                  direction,
                                                  "--standardize",
                                                  standardize,
                                                  "--temperature",
                                                  std::to_string(temperature),
                                                  "--lambda",
                                                  "0.1",
                                                  "--table",
                                                  table,
                                                  "--summary",
                                                  summary });
        ASSERT_EQ(result.exitCode, 0) << result.err;
        const Expected expected =
          BruteForce(Size, ReferenceValue, GeneratedValue, MaskValue, direction, standardize, temperature);
        const auto values = ReadTable(table);
        ASSERT_EQ(values.size(), expected.kl.size()) << what;
        double sum = 0.0;
        for (std::size_t t = 0; t < values.size(); ++t)
        {
          EXPECT_GT(expected.kl[t], 1e-3) << what; // not a trivially small divergence
          ExpectNear(values[t], expected.kl[t], 1e-12, what + " volume " + std::to_string(t));
          sum += expected.kl[t];
        }
        const auto json = ReadJson(summary);
        ExpectNear(json["spatialKL"]["mean"].get<double>(), sum / values.size(), 1e-12, what + " mean");
        EXPECT_EQ(json["spatialKL"]["count"], Size[3]);
        EXPECT_EQ(json["spatialKL"]["min"].get<double>(), *std::min_element(values.begin(), values.end()));
        EXPECT_EQ(json["spatialKL"]["max"].get<double>(), *std::max_element(values.begin(), values.end()));
        ExpectNear(json["globalMSE"].get<double>(), expected.mse, 1e-12, what + " MSE");
        const double lossMSE = standardize == "none" ? expected.mse : expected.standardizedMSE;
        ExpectNear(json["loss"]["mse"].get<double>(), lossMSE, 1e-12, what + " loss MSE");
        ExpectNear(json["loss"]["total"].get<double>(), lossMSE + 0.1 * sum / values.size(), 1e-12, what + " loss");
        EXPECT_EQ(json["loss"]["lambda"], 0.1);
        EXPECT_EQ(json["options"]["direction"], direction);
        EXPECT_EQ(json["options"]["standardize"], standardize);
        EXPECT_EQ(json["options"]["temperature"], temperature);
        EXPECT_EQ(json["units"], "nats");
        EXPECT_EQ(json["volumes"]["count"], Size[3]);
        // 315 voxels, 40 outside the mask; the NaN voxel is in the mask in volume 3 only.
        EXPECT_EQ(json["voxels"]["total"], 315);
        long inMask = 0;
        for (long z = 0; z < Size[2]; ++z)
          for (long y = 0; y < Size[1]; ++y)
            for (long x = 0; x < Size[0]; ++x)
              inMask += MaskValue(x, y, z) ? 1 : 0;
        EXPECT_EQ(json["voxels"]["inMask"], inMask);
        EXPECT_EQ(json["voxels"]["droppedNonFinite"], 1);
        EXPECT_EQ(json["voxels"]["compared"], inMask * Size[3] - 1);
        EXPECT_EQ(json["inputs"]["mask"], files.mask);
        EXPECT_NE(result.out.find("meanSpatialKL = "), std::string::npos) << result.out;
        EXPECT_NE(result.out.find("combinedLoss = "), std::string::npos) << result.out;
      }
    }
  }
}

TEST(SpatialKLDivergenceApp, DefaultsAreMindAlignersReverseOnTheValuesThemselves)
{
  PairFiles  files("spatial-defaults");
  const auto result = RunSpatialKL({ "--reference", files.reference, "--generated", files.generated });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  // No mask: every voxel; no table or summary: the mean is printed.
  const Expected expected = BruteForce(
    Size, ReferenceValue, GeneratedValue, [](long, long, long) { return true; }, "reverse", "none", 1.0);
  double mean = 0.0;
  for (const double kl : expected.kl)
    mean += kl / static_cast<double>(expected.kl.size());
  const auto position = result.out.find("meanSpatialKL = ");
  ASSERT_NE(position, std::string::npos) << result.out;
  ExpectNear(std::stod(result.out.substr(position + 16)), mean, 1e-12, "printed mean");
  EXPECT_NE(result.out.find("KL(generated || reference)"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("combinedLoss"), std::string::npos) << "no --lambda, no combined loss";
}

TEST(SpatialKLDivergenceApp, RawBoldSoftmaxIsNearlyAnArgmaxUntilStandardized)
{
  TemporaryDirectory        directory("spatial-bold");
  const std::array<long, 4> size{ 8, 6, 4, 3 };
  WriteSeries(MakeSeries(size, BoldReference), directory / "r.nii");
  WriteSeries(MakeSeries(size, BoldGenerated), directory / "g.nii");
  for (const std::string standardize : { "none", "volume", "voxel" })
  {
    const auto result = RunSpatialKL({ "--reference",
                                       directory / "r.nii",
                                       "--generated",
                                       directory / "g.nii",
                                       "--standardize",
                                       standardize,
                                       "--table",
                                       directory / "kl.tsv" });
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto     values = ReadTable(directory / "kl.tsv");
    const Expected expected = BruteForce(
      size, BoldReference, BoldGenerated, [](long, long, long) { return true; }, "reverse", standardize, 1.0);
    for (std::size_t t = 0; t < values.size(); ++t)
    {
      ExpectNear(values[t], expected.kl[t], 1e-11, standardize + " volume " + std::to_string(t));
      if (standardize == "none")
        EXPECT_GT(values[t], 2.0) << "nearly one-hot softmaxes"; // raw intensities: 2.2 to 29
      else
        EXPECT_LT(values[t], 1.0) << standardize; // 0.16 to 0.93
    }
  }
}

TEST(SpatialKLDivergenceApp, BitIdenticalForAnyThreadCountTileCountAndReadPath)
{
  // 23 x 19 x 13 = 5681 voxels: two chunks of 4096, the second partly masked.
  TemporaryDirectory        directory("spatial-bits");
  const std::array<long, 4> size{ 23, 19, 13, 5 };
  const auto                reference = MakeSeries(size, ReferenceValue);
  const auto                generated = MakeSeries(size, GeneratedValue);
  WriteSeries(reference, directory / "r.nii");
  WriteSeries(generated, directory / "g.nii");
  WriteSeries(reference, directory / "r.nii.gz");
  WriteSeries(generated, directory / "g.mha");
  const auto volumes = WriteVolumes(reference, directory / "r_", ".nii");
  WriteMask(reference, directory / "mask.nii", [](long x, long y, long z) { return (x + y + z) % 7 != 0 ? 1 : 0; });
  for (const std::string standardize : { "none", "volume", "voxel" })
  {
    std::string firstTable;
    std::string firstSummaryKL;
    int         run = 0;
    auto        check = [&](std::vector<std::string> referenceArguments,
                     const std::string &      generatedFile,
                     const std::string &      threads,
                     const std::string &      tiles) {
      std::vector<std::string> arguments = referenceArguments;
      arguments.insert(arguments.end(),
                       { "--generated",
                         generatedFile,
                         "--mask",
                         directory / "mask.nii",
                         "--standardize",
                         standardize,
                         "--direction",
                         "symmetric",
                         "--threads",
                         threads,
                         "--tiles",
                         tiles,
                         "--table",
                         directory / "kl.tsv",
                         "--summary",
                         directory / "kl.json" });
      const auto result = RunSpatialKL(arguments);
      ASSERT_EQ(result.exitCode, 0) << result.err;
      const std::string table = Slurp(directory / "kl.tsv");
      const auto        json = ReadJson(directory / "kl.json");
      const std::string summaryKL = json["spatialKL"].dump() + json["globalMSE"].dump();
      if (run++ == 0)
      {
        firstTable = table;
        firstSummaryKL = summaryKL;
        return;
      }
      EXPECT_EQ(table, firstTable) << standardize << ", threads " << threads << ", tiles " << tiles;
      EXPECT_EQ(summaryKL, firstSummaryKL) << standardize << ", threads " << threads;
    };
    const std::vector<std::string> nii{ "--reference", directory / "r.nii" };
    check(nii, directory / "g.nii", "1", "0");
    check(nii, directory / "g.nii", "2", "0");
    check(nii, directory / "g.nii", "3", "7");
    check({ "--reference", directory / "r.nii.gz" }, directory / "g.nii", "2", "0");
    check(nii, directory / "g.mha", "3", "0"); // read whole by ITK
    std::vector<std::string> list;
    for (const auto & file : volumes)
    {
      list.push_back("--reference");
      list.push_back(file);
    }
    check(list, directory / "g.nii", "2", "0");
    // And the values are right, not only stable.
    const auto     values = ReadTable(directory / "kl.tsv");
    const Expected expected = BruteForce(
      size,
      ReferenceValue,
      GeneratedValue,
      [](long x, long y, long z) { return (x + y + z) % 7 != 0; },
      "symmetric",
      standardize,
      1.0);
    for (std::size_t t = 0; t < values.size(); ++t)
      ExpectNear(values[t], expected.kl[t], 1e-12, standardize + " volume " + std::to_string(t));
  }
}

TEST(SpatialKLDivergenceApp, VolumeWithoutFiniteVoxelsIsNaNAndLeftOutOfTheMean)
{
  TemporaryDirectory        directory("spatial-empty");
  const std::array<long, 4> size{ 5, 4, 3, 4 };
  auto holey = [](long x, long y, long z, long t) { return t == 2 ? NaN : GeneratedValue(x, y, z, t); };
  WriteSeries(MakeSeries(size, ReferenceValue), directory / "r.nii");
  WriteSeries(MakeSeries(size, holey), directory / "g.nii");
  const auto result = RunSpatialKL({ "--reference",
                                     directory / "r.nii",
                                     "--generated",
                                     directory / "g.nii",
                                     "--table",
                                     directory / "kl.tsv",
                                     "--summary",
                                     directory / "kl.json" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto values = ReadTable(directory / "kl.tsv");
  ASSERT_EQ(values.size(), 4u);
  EXPECT_TRUE(std::isnan(values[2]));
  const auto json = ReadJson(directory / "kl.json");
  EXPECT_EQ(json["volumes"]["empty"], 1);
  EXPECT_EQ(json["spatialKL"]["count"], 3);
  ExpectNear(json["spatialKL"]["mean"].get<double>(), (values[0] + values[1] + values[3]) / 3.0, 1e-14, "mean");
  EXPECT_EQ(json["voxels"]["droppedNonFinite"], 61); // volume 2, and the NaN voxel of volume 3
}

class SpatialKLErrors : public ::testing::Test
{
protected:
  TemporaryDirectory directory{ "spatial-errors" };
  std::string        reference = directory / "reference.nii.gz";
  std::string        generated = directory / "generated.nii.gz";
  std::string        table = directory / "kl.tsv";
  std::string        summary = directory / "kl.json";

  void
  SetUp() override
  {
    WriteSeries(MakeSeries({ 6, 5, 4, 12 }, ReferenceValue), reference);
    WriteSeries(MakeSeries({ 6, 5, 4, 12 }, GeneratedValue), generated);
  }

  // Expects exit status 1, a one-line message with every needle, and no file left behind.
  void
  ExpectFailure(const std::string &              referenceFile,
                const std::string &              generatedFile,
                std::vector<std::string>         extra,
                const std::vector<std::string> & needles)
  {
    const auto               before = directory.Files();
    std::vector<std::string> arguments{ "--reference", referenceFile, "--generated", generatedFile,
                                        "--table",     table,         "--summary",   summary };
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const auto result = RunSpatialKL(arguments);
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_EQ(result.err.rfind("SpatialKLDivergence: error: ", 0), 0u) << result.err;
    for (const auto & needle : needles)
    {
      EXPECT_NE(result.err.find(needle), std::string::npos) << "missing '" << needle << "' in: " << result.err;
    }
    EXPECT_EQ(directory.Files().size(), before.size()) << "a file was left behind";
    EXPECT_FALSE(fs::exists(table));
    EXPECT_FALSE(fs::exists(summary));
  }
};

TEST_F(SpatialKLErrors, DifferentNumbersOfVolumesNameBothFilesAndCounts)
{
  WriteSeries(MakeSeries({ 6, 5, 4, 10 }, GeneratedValue), directory / "short.nii.gz");
  ExpectFailure(
    reference, directory / "short.nii.gz", {}, { "reference.nii.gz", "short.nii.gz", "12", "10", "paired" });
}

TEST_F(SpatialKLErrors, GridMismatch)
{
  WriteSeries(MakeSeries({ 6, 5, 4, 12 }, GeneratedValue, 1.5), directory / "shifted.nii.gz");
  ExpectFailure(reference, directory / "shifted.nii.gz", {}, { "reference.nii.gz", "shifted.nii.gz", "origin" });
  WriteSeries(MakeSeries({ 6, 6, 4, 12 }, GeneratedValue), directory / "bigger.nii.gz");
  ExpectFailure(reference, directory / "bigger.nii.gz", {}, { "bigger.nii.gz", "size differs along axis 1" });
}

TEST_F(SpatialKLErrors, BadOptionValues)
{
  for (const std::string temperature : { "0", "-1", "nan", "inf" })
  {
    ExpectFailure(reference, generated, { "--temperature", temperature }, { "--temperature" });
  }
  ExpectFailure(reference, generated, { "--lambda", "-0.1" }, { "--lambda" });
  ExpectFailure(reference, generated, { "--standardize", "zscore" }, { "standardize", "zscore" });
  ExpectFailure(reference, generated, { "--direction", "backward" }, { "direction", "backward" });
  ExpectFailure(reference, generated, { "--threads", "-1" }, { "--threads" });
}

TEST_F(SpatialKLErrors, EmptyMaskAndMaskOnAnotherGrid)
{
  const auto series = MakeSeries({ 6, 5, 4, 12 }, ReferenceValue);
  WriteMask(series, directory / "empty.nii.gz", [](long, long, long) { return 0; });
  ExpectFailure(reference, generated, { "--mask", directory / "empty.nii.gz" }, { "empty.nii.gz" });
  WriteMask(MakeSeries({ 6, 5, 3, 1 }, ReferenceValue), directory / "small.nii.gz", [](long, long, long) { return 1; });
  ExpectFailure(reference, generated, { "--mask", directory / "small.nii.gz" }, { "small.nii.gz" });
}

TEST_F(SpatialKLErrors, MissingFileAndNoFiniteVoxelAtAll)
{
  ExpectFailure(directory / "nope.nii.gz", generated, {}, { "nope.nii.gz" });
  WriteSeries(MakeSeries({ 6, 5, 4, 12 }, [](long, long, long, long) { return NaN; }), directory / "nan.nii.gz");
  ExpectFailure(reference, directory / "nan.nii.gz", {}, { "nan.nii.gz", "finite" });
}

// A series whose grid cannot fit in memory is refused before its blocks are allocated
// (this gave "error: std::bad_alloc").
TEST_F(SpatialKLErrors, HugeSeriesIsRefusedBeforeAllocationNamingIt)
{
  WriteHugeNrrd(directory / "huge.nrrd", { 100000, 100000, 1000, 10 });
  WriteHugeNrrd(directory / "huge2.nrrd", { 100000, 100000, 1000, 10 });
  ExpectFailure(directory / "huge.nrrd",
                directory / "huge2.nrrd",
                {},
                { "huge.nrrd / " + directory / "huge2.nrrd: its grid needs about", "GiB of memory" });
}

TEST(SpatialKLDivergenceApp, HelpExplainsTheArgmaxAndTheStandardizations)
{
  const auto result = RunSpatialKL({ "--help" });
  ASSERT_EQ(result.exitCode, 0);
  for (const char * needle : { "argmax",
                               "--standardize voxel z-scores each voxel over time",
                               "--standardize\nvolume",
                               "MindAligner",
                               "KL(generated || reference)",
                               "--lambda",
                               "--temperature" })
  {
    std::string text = result.out;
    std::string wanted = needle;
    // --help wraps lines: compare with runs of whitespace collapsed.
    auto collapse = [](std::string s) {
      std::string out;
      for (const char c : s)
      {
        const char d = (c == '\n') ? ' ' : c;
        if (!(d == ' ' && !out.empty() && out.back() == ' '))
          out += d;
      }
      return out;
    };
    EXPECT_NE(collapse(text).find(collapse(wanted)), std::string::npos) << needle;
  }
}

} // namespace
