// What a user and 3D Slicer see of a command: stdout, stderr and the exit status.
#include "voxelkl/RunCommand.h"

#include "ExampleCommand.h"
#include "voxelkl/Errors.h"
#include "voxelkl/MemoryLimit.h"
#include "voxelkl/ReturnParameters.h"
#include "voxelkl/SlicerInvocation.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>

namespace
{

using voxelkl::test::MinimalArguments;

struct Outcome
{
  int         status;
  std::string out;
  std::string err;
};

int
Succeed(const voxelkl::ParsedArguments &)
{
  return 0;
}

Outcome
RunExample(const std::vector<std::string> &    arguments,
           const voxelkl::CommandBody &        body = Succeed,
           const voxelkl::CommandDescription & description = voxelkl::test::ExampleCommand())
{
  std::vector<const char *> argv{ "/usr/bin/VoxelKLDivergence" };
  for (const auto & argument : arguments)
  {
    argv.push_back(argument.c_str());
  }
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const int status = voxelkl::RunCommand(description, static_cast<int>(argv.size()), argv.data(), body);
  Outcome   outcome{ status, testing::internal::GetCapturedStdout(), testing::internal::GetCapturedStderr() };
  return outcome;
}

TEST(RunCommand, XmlComesFirstAndAlone)
{
  bool       ran = false;
  const auto body = [&ran](const voxelkl::ParsedArguments &) {
    ran = true;
    return 0;
  };
  // As Slicer runs it: no required options, so they must not fire.
  const auto xml = RunExample({ "--xml" }, body);
  EXPECT_EQ(xml.status, 0);
  EXPECT_EQ(xml.out.rfind("<?xml ", 0), 0u);
  EXPECT_EQ(xml.err, "");
  EXPECT_FALSE(ran);
  EXPECT_EQ(RunExample({ "--help", "--xml" }).out.rfind("<?xml ", 0), 0u);
}

TEST(RunCommand, HelpAndVersion)
{
  for (const char * help : { "--help", "-h" })
  {
    const auto outcome = RunExample({ "--frobnicate", help });
    EXPECT_EQ(outcome.status, 0);
    EXPECT_NE(outcome.out.find("VoxelKLDivergence: map the KL divergence"), std::string::npos);
    EXPECT_EQ(outcome.err, "");
  }
  const auto version = RunExample({ "--version" });
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out, "VoxelKLDivergence " VOXELKL_EXPECTED_VERSION "\n");
  EXPECT_EQ(version.err, "");
}

TEST(RunCommand, UsageErrorsAreOneLineWithTheHelpHintAndStatusOne)
{
  const std::string hint = " (see 'VoxelKLDivergence --help')\n";
  const auto        missing = RunExample({ "--input", "a.nii", "--output", "o.nrrd" });
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "VoxelKLDivergence: error: missing required option --reference" + hint);
  EXPECT_EQ(RunExample(MinimalArguments({ "--bogus" })).err,
            "VoxelKLDivergence: error: unknown option '--bogus'" + hint);
  EXPECT_EQ(RunExample(MinimalArguments({ "--threads", "x" })).err,
            "VoxelKLDivergence: error: --threads: expected an integer, got 'x'" + hint);
  EXPECT_EQ(RunExample(MinimalArguments({ "--direction", "x" })).err,
            "VoxelKLDivergence: error: --direction: unknown value 'x' (expected forward, reverse "
            "or symmetric)" +
              hint);
  EXPECT_EQ(RunExample(MinimalArguments({ "stray" })).status, 1);
}

TEST(RunCommand, BodyGetsTheArgumentsAndGivesTheStatus)
{
  std::string reference;
  const auto  outcome =
    RunExample(MinimalArguments({ "--threads", "3" }), [&reference](const voxelkl::ParsedArguments & args) {
      reference = args.GetString("reference");
      return args.GetInt("threads");
    });
  EXPECT_EQ(outcome.status, 3);
  EXPECT_EQ(reference, "real.nii.gz");
}

TEST(RunCommand, ExceptionsFromTheBodyBecomeOneLine)
{
  const auto input = RunExample(MinimalArguments(), [](const voxelkl::ParsedArguments &) -> int {
    throw voxelkl::InputError("real.nii.gz", "not a 4D image");
  });
  EXPECT_EQ(input.status, 1);
  EXPECT_EQ(input.err, "VoxelKLDivergence: error: real.nii.gz: not a 4D image\n");

  const auto usage = RunExample(MinimalArguments(), [](const voxelkl::ParsedArguments &) -> int {
    throw voxelkl::UsageError("--output must end in .nrrd");
  });
  EXPECT_EQ(usage.status, 1);
  EXPECT_EQ(usage.err, "VoxelKLDivergence: error: --output must end in .nrrd (see 'VoxelKLDivergence --help')\n");

  const auto other = RunExample(
    MinimalArguments(), [](const voxelkl::ParsedArguments &) -> int { throw std::runtime_error("out of memory"); });
  EXPECT_EQ(other.status, 1);
  EXPECT_EQ(other.err, "VoxelKLDivergence: error: out of memory\n");

  const auto unknown = RunExample(MinimalArguments(), [](const voxelkl::ParsedArguments &) -> int { throw 42; });
  EXPECT_EQ(unknown.status, 1);
  EXPECT_EQ(unknown.err, "VoxelKLDivergence: error: unknown exception\n");
}

// Memory that ran out anyway (no check foresaw it) and ITK's own multi-line messages: one
// line, naming what was being read when a ReadingScope says so.
TEST(RunCommand, OutOfMemoryAndItkMessagesBecomeOneLineNamingTheFileRead)
{
  const auto plain =
    RunExample(MinimalArguments(), [](const voxelkl::ParsedArguments &) -> int { throw std::bad_alloc(); });
  EXPECT_EQ(plain.status, 1);
  EXPECT_EQ(plain.err, "VoxelKLDivergence: error: out of memory (std::bad_alloc)\n");

  const auto reading = RunExample(MinimalArguments(), [](const voxelkl::ParsedArguments &) -> int {
    const voxelkl::ReadingScope outer("series.nii.gz");
    const voxelkl::ReadingScope inner("labels.nii.gz");
    throw std::bad_alloc();
  });
  EXPECT_EQ(reading.err, "VoxelKLDivergence: error: labels.nii.gz: out of memory while reading it (std::bad_alloc)\n");

  const auto itk = RunExample(MinimalArguments(), [](const voxelkl::ParsedArguments &) -> int {
    const voxelkl::ReadingScope scope("atlas.nrrd");
    throw std::runtime_error("/usr/include/ITK-5.2/itkImportImageContainer.hxx:192:\nFailed to allocate memory for "
                             "image.");
  });
  EXPECT_EQ(itk.err, "VoxelKLDivergence: error: atlas.nrrd: Failed to allocate memory for image.\n");

  const auto lines = RunExample(MinimalArguments(), [](const voxelkl::ParsedArguments &) -> int {
    throw std::runtime_error("./Modules/IO/ImageBase/src/itkImageIOBase.cxx:399:\nITK ERROR: MetaImageIO(0x55b8bdd3): "
                             "Unknown component type");
  });
  EXPECT_EQ(lines.err, "VoxelKLDivergence: error: Unknown component type\n");
}

TEST(RunCommand, InvalidDescriptionFailsEvenForXml)
{
  auto d = voxelkl::test::ExampleCommand();
  d.groups.front().Add(voxelkl::Parameter::Integer("threads", "Threads", ""));
  const auto outcome = RunExample({ "--xml" }, Succeed, d);
  EXPECT_EQ(outcome.status, 1);
  EXPECT_EQ(outcome.out, "");
  EXPECT_NE(outcome.err.find("'threads' is declared twice"), std::string::npos) << outcome.err;
}

TEST(RunCommand, SlicerShapedRunWritesReturnParameters)
{
  // Return parameter file first, separate tokens, numbers and choices always passed,
  // unset optional outputs and false booleans left out.
  const std::string path = testing::TempDir() + "RunCommandTest.params";
  const auto        body = [](const voxelkl::ParsedArguments & args) {
    EXPECT_FALSE(args.GetFlag("verbose"));
    EXPECT_FALSE(args.Has("summary"));
    voxelkl::WriteReturnParameters(args.ReturnParameterFile().value_or(""), { { "meanKL", "0.25" } });
    return 0;
  };
  const auto outcome = RunExample({ "--returnparameterfile",
                                    path,
                                    "--reference",
                                    "/tmp/BCDE_vtkMRMLScalarVolumeNodeB.nrrd",
                                    "--input",
                                    "/tmp/BCDE_vtkMRMLScalarVolumeNodeC.nrrd",
                                    "--output",
                                    "/tmp/BCDE_vtkMRMLScalarVolumeNodeD.nrrd",
                                    "--direction",
                                    "forward",
                                    "--alpha",
                                    "0.05",
                                    "--threads",
                                    "0" },
                                  body);
  EXPECT_EQ(outcome.status, 0);
  EXPECT_EQ(outcome.err, "");
  std::ostringstream written;
  written << std::ifstream(path).rdbuf();
  EXPECT_EQ(written.str(), "meanKL = 0.25\n");
  std::remove(path.c_str());
}

TEST(RunCommand, NotesTheOptionsOnlySlicerAdds)
{
  // Without Slicer's empty ITK_AUTOLOAD_PATH, only the options tell.
  const char *      autoload = std::getenv("ITK_AUTOLOAD_PATH");
  const std::string saved = autoload != nullptr ? autoload : "";
  unsetenv("ITK_AUTOLOAD_PATH");
  std::vector<bool> seen;
  const auto        body = [&seen](const voxelkl::ParsedArguments &) {
    seen.push_back(voxelkl::IsRunBySlicer()); // stdout is captured: not a terminal
    return 0;
  };
  EXPECT_EQ(RunExample(MinimalArguments(), body).status, 0);
  EXPECT_EQ(RunExample(MinimalArguments({ "--processinformationaddress", "0x1234" }), body).status, 0);
  const std::string path = testing::TempDir() + "slicer-options.params";
  EXPECT_EQ(RunExample(MinimalArguments({ "--returnparameterfile=" + path }), body).status, 0);
  EXPECT_EQ(RunExample(MinimalArguments(), body).status, 0);
  EXPECT_EQ(seen, (std::vector<bool>{ false, true, true, false }));
  std::remove(path.c_str());
  if (autoload != nullptr)
  {
    setenv("ITK_AUTOLOAD_PATH", saved.c_str(), 1);
  }
}

} // namespace
