// SIGTERM or SIGINT while the outputs are being written: the process dies of the signal
// (as a shell or a batch system expects), no temporary file remains, and the outputs are
// all replaced or none is. No test hook: the maps are made large enough (compressed NRRD,
// each read back to check it) that the output phase can be caught by watching for the
// first temporary file.
#include "Spawn.h"
#include "TestFiles.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/wait.h>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

double
Signal(long x, long y, long z, long t)
{
  return 500.0 + 0.1 * x + 0.2 * y + 0.3 * z + ((t * 3 + x * 7 + y * 5 + z) % 11);
}

bool
HasTemporary(const std::string & directory)
{
  for (const auto & entry : fs::directory_iterator(directory))
  {
    if (entry.path().filename().string().find("voxelkl-partial") != std::string::npos)
    {
      return true;
    }
  }
  return false;
}

class SignalDuringOutput : public ::testing::TestWithParam<int>
{
};

TEST_P(SignalDuringOutput, LeavesNoTemporaryAndNoPartialSetOfOutputs)
{
  const int          signal = GetParam();
  TemporaryDirectory inputs("signal-inputs-" + std::to_string(signal));
  WriteSeries(MakeSeries({ 96, 96, 48, 4 }, Signal), inputs / "ref.nii");
  WriteSeries(MakeSeries({ 96, 96, 48, 4 }, [](long x, long y, long z, long t) { return Signal(y, x, z, t + 2); }),
              inputs / "gen.nii");
  const std::vector<std::string> maps{ "output", "mse", "correlation", "meanDifference", "varianceLogRatio" };

  bool caught = false;
  for (int attempt = 0; attempt < 5 && !caught; ++attempt)
  {
    TemporaryDirectory       outputs("signal-outputs-" + std::to_string(signal) + "-" + std::to_string(attempt));
    std::vector<std::string> arguments{ "--reference", inputs / "ref.nii", "--generated", inputs / "gen.nii" };
    for (const auto & map : maps)
    {
      arguments.insert(arguments.end(), { "--" + map, outputs / (map + ".nrrd") });
    }
    arguments.insert(arguments.end(), { "--summary", outputs / "summary.json" });
    std::ofstream(outputs / "output.nrrd") << "the previous run's map";
    const auto before = Snapshot(outputs.Path());

    Spawned process(VOXELKL_KL_EXECUTABLE, arguments, inputs.Path());
    int     status = 0;
    while (waitpid(process.Pid(), &status, WNOHANG) == 0)
    {
      if (HasTemporary(outputs.Path()))
      {
        kill(process.Pid(), signal);
        caught = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (!caught)
    {
      continue; // finished before the output phase was seen: the machine was too fast
    }
    const auto result = process.Wait();
    EXPECT_FALSE(HasTemporary(outputs.Path())) << "a temporary file remains";
    const auto after = Snapshot(outputs.Path());
    if (result.signal == 0)
    {
      // It ended between the look and the kill (a signal during the renames is only held
      // back until they are done, so it still kills): a complete run, try again.
      EXPECT_EQ(result.exitCode, 0) << result.err;
      EXPECT_EQ(after.size(), maps.size() + 1);
      caught = false;
      continue;
    }
    EXPECT_EQ(result.signal, signal);
    if (after.size() == before.size())
    {
      EXPECT_TRUE(after == before) << "some outputs were replaced, not all";
    }
    else
    {
      EXPECT_EQ(after.size(), maps.size() + 1) << "some outputs were written, not all";
      EXPECT_NE(after.at("output.nrrd"), before.at("output.nrrd"));
    }
  }
  if (!caught)
  {
    GTEST_SKIP() << "the output phase was never seen in 5 runs; nothing was signalled";
  }
}

INSTANTIATE_TEST_SUITE_P(VoxelKLDivergence,
                         SignalDuringOutput,
                         ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int> & info) {
                           return std::string(info.param == SIGTERM ? "SIGTERM" : "SIGINT");
                         });

} // namespace
