// --help documents what the parser accepts, because both read one description.
#include "voxelkl/CommandHelp.h"

#include "ExampleCommand.h"

#include <gtest/gtest.h>

#include <sstream>

namespace
{

TEST(CommandHelp, HasSynopsisUsageAndExample)
{
  const std::string help = voxelkl::FormatHelp(voxelkl::test::ExampleCommand());
  EXPECT_NE(help.find("VoxelKLDivergence: map the KL divergence"), std::string::npos) << help;
  EXPECT_NE(help.find("USAGE\n  VoxelKLDivergence --reference IMAGE --input IMAGE [--input IMAGE ...]"),
            std::string::npos)
    << help;
  EXPECT_NE(help.find("Compare a generated series with the real one:"), std::string::npos) << help;
  EXPECT_NE(help.find("$ VoxelKLDivergence --reference real.nii.gz"), std::string::npos) << help;
  EXPECT_NE(help.find("VERSION\n  VoxelKLDivergence " VOXELKL_EXPECTED_VERSION "\n"), std::string::npos) << help;
}

TEST(CommandHelp, ListsEveryFlagWithChoicesAndDefaults)
{
  const std::string help = voxelkl::FormatHelp(voxelkl::test::ExampleCommand());
  for (const auto & flag : voxelkl::test::ExampleFlags())
  {
    EXPECT_NE(help.find("  --" + flag), std::string::npos) << flag;
  }
  EXPECT_NE(help.find("--direction forward|reverse|symmetric  [default: forward]"), std::string::npos) << help;
  EXPECT_NE(help.find("--threads INTEGER  [default: 0]"), std::string::npos) << help;
  EXPECT_NE(help.find("--input IMAGE  [required; repeatable]"), std::string::npos) << help;
  EXPECT_NE(help.find("--summary FILE  [.json, .txt]"), std::string::npos) << help;
  EXPECT_NE(help.find("--verbose\n      Report each step."), std::string::npos) << help;
  EXPECT_NE(help.find("meanKL"), std::string::npos) << help;
  EXPECT_NE(help.find("--returnparameterfile FILE"), std::string::npos) << help;
  EXPECT_NE(help.find("-h, --help"), std::string::npos) << help;
  EXPECT_NE(help.find("\nINPUTS\n"), std::string::npos) << help;
}

TEST(CommandHelp, FitsEightyColumns)
{
  auto d = voxelkl::test::ExampleCommand();
  d.examples.push_back({ "A long command line, wrapped with continuations",
                         "VoxelKLDivergence --reference /data/study/sub-01/func/sub-01_task-rest_bold.nii.gz "
                         "--input /data/generated/sub-01/run-1.nii.gz --input /data/generated/sub-01/run-2.nii.gz "
                         "--output kl.nii.gz --verbose" });
  const std::string  help = voxelkl::FormatHelp(d);
  std::istringstream lines(help);
  std::string        line;
  while (std::getline(lines, line))
  {
    EXPECT_LE(line.size(), 80u) << line;
  }
  // A wrapped command stays pasteable, flags next to their values.
  EXPECT_NE(help.find(" \\\n        --input /data/generated/sub-01/run-1.nii.gz"), std::string::npos) << help;
}

} // namespace
