// VoxelKLDivergence's paired fidelity maps (MSE, correlation, mean difference, log variance
// ratio) against brute-force double computations, the same bits on every read path, and
// the error for unpaired series.
#include "TestFiles.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

double
Reference(long x, long y, long z, long t)
{
  if (x == 0 && y == 0 && z == 0)
    return 300; // constant: no correlation
  if (x == 1 && y == 1 && z == 1 && t % 6 == 2)
    return std::numeric_limits<double>::quiet_NaN();
  return 800 + 3 * x + ((x * 13 + y * 7 + z * 3 + t * 11) % 17) * (1 + y % 2);
}

double
Generated(long x, long y, long z, long t)
{
  if (x == 2 && y == 0 && z == 0 && t % 5 == 1)
    return std::numeric_limits<double>::quiet_NaN();
  // Partly follows the reference (correlated), partly its own noise, flattened in y = 0.
  const double own = ((x * 5 + y * 11 + z * 2 + t * 3) % 13);
  return 0.5 * Reference(1, y, z, t) + (y == 0 ? 0.3 : 1.5) * own + 410 + x;
}

constexpr std::array<long, 4> Size{ 6, 4, 3, 40 };

struct Fidelity
{
  Volume::Pointer mse, correlation, meanDifference, varianceLogRatio;
};

// Maps are written as `extension` (.mha keeps NaN when read back; ITK's NIfTI reader does not).
Fidelity
RunFidelity(const std::string &        reference,
            const std::string &        generated,
            const TemporaryDirectory & directory,
            std::vector<std::string>   extra = {},
            const std::string &        extension = ".nii")
{
  std::vector<std::string> arguments{ "--reference",
                                      reference,
                                      "--generated",
                                      generated,
                                      "--output",
                                      directory / ("kl" + extension),
                                      "--mse",
                                      directory / ("mse" + extension),
                                      "--correlation",
                                      directory / ("corr" + extension),
                                      "--meanDifference",
                                      directory / ("md" + extension),
                                      "--varianceLogRatio",
                                      directory / ("vlr" + extension),
                                      "--summary",
                                      directory / "s.json" };
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  const auto result = RunProgram(VOXELKL_KL_EXECUTABLE, arguments);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return { ReadVolume(directory / ("mse" + extension)),
           ReadVolume(directory / ("corr" + extension)),
           ReadVolume(directory / ("md" + extension)),
           ReadVolume(directory / ("vlr" + extension)) };
}

TEST(FidelityMaps, MatchBruteForceAndSummary)
{
  TemporaryDirectory directory("fidelity");
  WriteSeries(MakeSeries(Size, Reference), directory / "r.nii");
  WriteSeries(MakeSeries(Size, Generated), directory / "g.nii");
  // The brute force uses the float32 values the executable reads (NaN kept: ITK's NIfTI
  // reader would turn them into 0).
  const auto reference = MakeSeries(Size, [](long x, long y, long z, long t) {
    return static_cast<double>(static_cast<float>(Reference(x, y, z, t)));
  });
  const auto generated = MakeSeries(Size, [](long x, long y, long z, long t) {
    return static_cast<double>(static_cast<float>(Generated(x, y, z, t)));
  });
  const auto maps = RunFidelity(directory / "r.nii", directory / "g.nii", directory);
  double     sumSquares = 0, pairs = 0;
  for (long z = 0; z < Size[2]; ++z)
    for (long y = 0; y < Size[1]; ++y)
      for (long x = 0; x < Size[0]; ++x)
      {
        const auto r = VoxelValues(reference, x, y, z);
        const auto g = VoxelValues(generated, x, y, z);
        // Pairs where both are finite; each series' own finite values for the moments.
        std::vector<double> px, py, rx, gy;
        for (std::size_t t = 0; t < r.size(); ++t)
        {
          if (std::isfinite(r[t]))
            rx.push_back(r[t]);
          if (std::isfinite(g[t]))
            gy.push_back(g[t]);
          if (std::isfinite(r[t]) && std::isfinite(g[t]))
          {
            px.push_back(r[t]);
            py.push_back(g[t]);
          }
        }
        const auto [mx, vx] = MeanVariance(px);
        const auto [my, vy] = MeanVariance(py);
        double squares = 0, c = 0;
        for (std::size_t i = 0; i < px.size(); ++i)
        {
          squares += (px[i] - py[i]) * (px[i] - py[i]);
          c += (px[i] - mx) * (py[i] - my);
        }
        sumSquares += squares;
        pairs += px.size();
        const Volume::IndexType index{ { x, y, z } };
        const double            mse = squares / px.size();
        EXPECT_NEAR(maps.mse->GetPixel(index), mse, 1e-5 * std::max(1.0, mse)) << index;
        const double r_xy = (vx > 0 && vy > 0) ? c / (px.size() * std::sqrt(vx * vy)) : 0.0;
        EXPECT_NEAR(maps.correlation->GetPixel(index), r_xy, 1e-6) << index;
        const auto [mr, vr] = MeanVariance(rx);
        const auto [mg, vg] = MeanVariance(gy);
        EXPECT_NEAR(maps.meanDifference->GetPixel(index), mg - mr, 1e-4) << index;
        if (vr > 0 && vg > 0)
        {
          EXPECT_NEAR(maps.varianceLogRatio->GetPixel(index), std::log(vg / vr), 1e-5) << index;
        }
      }
  EXPECT_EQ(maps.correlation->GetPixel(Volume::IndexType{ { 0, 0, 0 } }), 0.0); // undefined: documented 0
  std::ifstream  stream(directory / "s.json");
  nlohmann::json summary = nlohmann::json::parse(stream);
  EXPECT_NEAR(summary["globalMSE"].get<double>(), sumSquares / pairs, 1e-5 * sumSquares / pairs);
  EXPECT_EQ(summary["pairedSamples"].get<double>(), pairs);
  for (const char * map : { "mse", "correlation", "meanDifference", "varianceLogRatio" })
  {
    EXPECT_TRUE(summary["fidelity"].contains(map)) << map;
    EXPECT_GT(summary["fidelity"][map]["count"].get<int>(), 60);
  }
}

// a.nii and a.nii.gz in one run: their temporaries once shared the stem .a.voxelkl-partial-PID
// and writing the .nii.gz (through a .nii beside it) removed the .nii's ("cannot be
// written: No such file or directory"). Each map must hold its own values.
TEST(FidelityMaps, MapsNamedANiiAndANiiGzInOneRunAreBothRight)
{
  TemporaryDirectory directory("fidelity-names");
  const auto         reference = MakeSeries(Size, [](long x, long y, long z, long t) {
    return static_cast<double>(static_cast<float>(800 + 3 * x + ((x * 13 + y * 7 + z * 3 + t * 11) % 17)));
  });
  const auto         generated = MakeSeries(Size, [](long x, long y, long z, long t) {
    return static_cast<double>(static_cast<float>(800 + 2 * x + ((x * 5 + y * 11 + z * 2 + t * 3) % 13)));
  });
  WriteSeries(reference, directory / "r.nii");
  WriteSeries(generated, directory / "g.nii");
  const auto result = RunProgram(VOXELKL_KL_EXECUTABLE,
                                 { "--reference",
                                   directory / "r.nii",
                                   "--generated",
                                   directory / "g.nii",
                                   "--output",
                                   directory / "a.nii",
                                   "--mse",
                                   directory / "a.nii.gz" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  for (const auto & name : directory.Files())
    EXPECT_EQ(name.find("voxelkl-partial"), std::string::npos) << name;
  // ITK's reader (niftilib), given a.nii.gz, reads a.nii beside it: read each alone.
  std::filesystem::rename(directory / "a.nii.gz", directory / "mse.nii.gz");
  const auto kl = ReadVolume(directory / "a.nii");
  const auto mse = ReadVolume(directory / "mse.nii.gz");
  for (long z = 0; z < Size[2]; ++z)
    for (long y = 0; y < Size[1]; ++y)
      for (long x = 0; x < Size[0]; ++x)
      {
        const auto r = VoxelValues(reference, x, y, z);
        const auto g = VoxelValues(generated, x, y, z);
        const auto [mr, vr] = MeanVariance(r);
        const auto [mg, vg] = MeanVariance(g);
        double squares = 0;
        for (std::size_t t = 0; t < r.size(); ++t)
          squares += (r[t] - g[t]) * (r[t] - g[t]);
        const Volume::IndexType index{ { x, y, z } };
        const double            expectedKL = TextbookKL(mr, vr, mg, vg);
        const double            expectedMse = squares / r.size();
        EXPECT_NEAR(kl->GetPixel(index), expectedKL, 1e-5 * std::max(1.0, expectedKL)) << index;
        EXPECT_NEAR(mse->GetPixel(index), expectedMse, 1e-5 * std::max(1.0, expectedMse)) << index;
      }
}

TEST(FidelityMaps, SameBitsOnEveryReadPathAndThreadCount)
{
  TemporaryDirectory directory("fidelity-paths");
  const auto         reference = MakeSeries(Size, Reference);
  const auto         generated = MakeSeries(Size, Generated);
  WriteSeries(reference, directory / "r.nii");
  WriteSeries(generated, directory / "g.nii");
  const auto baseline = RunFidelity(directory / "r.nii", directory / "g.nii", directory, { "--threads", "1" });
  for (const std::string extension : { ".nii.gz", ".mha" })
  {
    TemporaryDirectory here("fidelity-variant");
    WriteSeries(reference, here / ("r" + extension));
    WriteSeries(generated, here / ("g" + extension));
    for (const char * threads : { "1", "2" })
    {
      const auto maps =
        RunFidelity(here / ("r" + extension), here / ("g" + extension), here, { "--threads", threads, "--tiles", "2" });
      EXPECT_TRUE(SameVoxels(baseline.mse, maps.mse)) << extension;
      EXPECT_TRUE(SameVoxels(baseline.correlation, maps.correlation)) << extension;
      EXPECT_TRUE(SameVoxels(baseline.meanDifference, maps.meanDifference)) << extension;
      EXPECT_TRUE(SameVoxels(baseline.varianceLogRatio, maps.varianceLogRatio)) << extension;
    }
  }
}

TEST(FidelityMaps, UnpairedSeriesAreRefusedForMseAndCorrelationOnly)
{
  TemporaryDirectory directory("fidelity-unpaired");
  WriteSeries(MakeSeries(Size, Reference), directory / "r.nii");
  WriteSeries(MakeSeries({ Size[0], Size[1], Size[2], 30 }, Generated), directory / "g.nii");
  auto result = RunProgram(VOXELKL_KL_EXECUTABLE,
                           { "--reference",
                             directory / "r.nii",
                             "--generated",
                             directory / "g.nii",
                             "--output",
                             directory / "kl.nii",
                             "--mse",
                             directory / "mse.nii" });
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("not paired"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("40"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(directory / "kl.nii"));
  EXPECT_FALSE(fs::exists(directory / "mse.nii"));
  result = RunProgram(VOXELKL_KL_EXECUTABLE,
                      { "--reference",
                        directory / "r.nii",
                        "--generated",
                        directory / "g.nii",
                        "--output",
                        directory / "kl.nii",
                        "--meanDifference",
                        directory / "md.nii",
                        "--varianceLogRatio",
                        directory / "vlr.nii" });
  EXPECT_EQ(result.exitCode, 0) << result.err;
}

TEST(FidelityMaps, UndefinedCorrelationCanBeNaN)
{
  TemporaryDirectory directory("fidelity-nan");
  WriteSeries(MakeSeries(Size, Reference), directory / "r.nii");
  WriteSeries(MakeSeries(Size, Generated), directory / "g.nii");
  const auto maps =
    RunFidelity(directory / "r.nii", directory / "g.nii", directory, { "--undefinedCorrelation", "nan" }, ".mha");
  EXPECT_TRUE(std::isnan(maps.correlation->GetPixel(Volume::IndexType{ { 0, 0, 0 } })));
  EXPECT_FALSE(std::isnan(maps.correlation->GetPixel(Volume::IndexType{ { 1, 0, 0 } })));
}

} // namespace
