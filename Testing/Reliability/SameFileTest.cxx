// No output may be an input or another output, whatever the spelling: every input/output
// pair of every executable, given as the same path, as ./name against name, through a
// symbolic link and through a hard link. Each must fail before any work with one line
// naming both options and paths, and leave the directory exactly as it was.
#include "Fixtures.h"
#include "Spawn.h"
#include "TestFiles.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

enum class Form
{
  SamePath,     // dir/ref.nii.gz for both
  DotSlash,     // ref.nii.gz and ./ref.nii.gz, relative to the working directory
  SymbolicLink, // the output is a link to the input, named like an output
  HardLink,     // the output is another name of the input's inode
};

const char *
FormName(Form form)
{
  switch (form)
  {
    case Form::SamePath:
      return "SamePath";
    case Form::DotSlash:
      return "DotSlash";
    case Form::SymbolicLink:
      return "SymbolicLink";
    case Form::HardLink:
      return "HardLink";
  }
  return "";
}

struct Case
{
  std::size_t executable;
  FileOption  input;
  FileOption  output;
  Form        form;
};

// The extension a link standing for the output must have for the executable to take it.
std::string
OutputExtension(const FileOption & output)
{
  if (output.kind == Kind::Image)
  {
    return ".nii.gz";
  }
  const std::string name = output.file;
  return name.substr(name.find('.'));
}

// Whether the input's own name is a name the output option accepts.
bool
Accepts(const FileOption & output, const FileOption & input)
{
  return output.kind == Kind::Any || output.kind == input.kind;
}

std::vector<Case>
AllCases()
{
  std::vector<Case> cases;
  for (std::size_t e = 0; e < Executables().size(); ++e)
  {
    for (const auto & input : Executables()[e].inputs)
    {
      for (const auto & output : Executables()[e].outputs)
      {
        for (const Form form : { Form::SamePath, Form::DotSlash, Form::SymbolicLink, Form::HardLink })
        {
          if ((form == Form::SamePath || form == Form::DotSlash) && !Accepts(output, input))
          {
            continue; // refused for its file name already, not a same-file case
          }
          cases.push_back({ e, input, output, form });
        }
      }
    }
  }
  return cases;
}

class SameFile : public ::testing::TestWithParam<Case>
{
};

TEST_P(SameFile, IsRefusedAndNothingChanges)
{
  const Case &            c = GetParam();
  const ExecutableFiles & executable = Executables()[c.executable];
  TemporaryDirectory directory("same-file-" + executable.name + "-" + c.input.option + "-" + c.output.option + "-" +
                               FormName(c.form));
  WriteInputs(directory.Path());
  const bool  relative = c.form == Form::DotSlash;
  std::string inputValue = relative ? c.input.file : directory / c.input.file;
  std::string outputValue;
  switch (c.form)
  {
    case Form::SamePath:
      outputValue = inputValue;
      break;
    case Form::DotSlash:
      outputValue = "./" + c.input.file;
      break;
    case Form::SymbolicLink:
      outputValue = directory / ("link" + OutputExtension(c.output));
      fs::create_symlink(c.input.file, outputValue);
      break;
    case Form::HardLink:
      outputValue = directory / ("hard" + OutputExtension(c.output));
      fs::create_hard_link(inputValue, outputValue);
      break;
  }
  auto arguments = Arguments(executable, relative ? "" : directory.Path());
  SetOption(arguments, c.output.option, outputValue);
  const auto before = Snapshot(directory.Path());

  const auto result = RunToEnd(executable.path, arguments, directory.Path());

  EXPECT_EQ(result.exitCode, 1) << result.err;
  EXPECT_EQ(Lines(result.err), 1) << result.err;
  EXPECT_EQ(result.err.rfind(executable.name + ": error: ", 0), 0u) << result.err;
  for (const std::string & needle : { "--" + c.output.option + " " + outputValue,
                                      "--" + c.input.option + " " + inputValue,
                                      std::string("same file") })
  {
    EXPECT_NE(result.err.find(needle), std::string::npos) << "missing '" << needle << "' in: " << result.err;
  }
  const auto after = Snapshot(directory.Path());
  EXPECT_TRUE(after == before) << "the directory changed (" << before.size() << " files before, " << after.size()
                               << " after)";
}

INSTANTIATE_TEST_SUITE_P(EveryInputAndOutput,
                         SameFile,
                         ::testing::ValuesIn(AllCases()),
                         [](const ::testing::TestParamInfo<Case> & info) {
                           return Executables()[info.param.executable].name + "_" + info.param.input.option + "_" +
                                  info.param.output.option + "_" + FormName(info.param.form);
                         });

// The command lines above without the collision succeed: the refusals are the collisions'.
TEST(SameFileControl, EveryExecutableSucceedsWithDistinctFiles)
{
  for (const auto & executable : Executables())
  {
    TemporaryDirectory directory("same-file-control-" + executable.name);
    WriteInputs(directory.Path());
    const auto result = RunToEnd(executable.path, Arguments(executable, directory.Path()), directory.Path());
    EXPECT_EQ(result.exitCode, 0) << executable.name << ": " << result.err;
    for (const auto & output : executable.outputs)
    {
      EXPECT_TRUE(fs::exists(directory / output.file)) << executable.name << " --" << output.option;
    }
    for (const auto & [name, bytes] : Snapshot(directory.Path()))
    {
      EXPECT_EQ(name.find("voxelkl-partial"), std::string::npos) << executable.name << " left " << name;
    }
  }
}

// Two outputs of one run that are one file, e.g. --output a.nii.gz --mse ./a.nii.gz.
TEST(SameFileOutputs, EveryPairOfOutputsIsRefused)
{
  for (const auto & executable : Executables())
  {
    for (std::size_t i = 0; i < executable.outputs.size(); ++i)
    {
      for (std::size_t j = 0; j < executable.outputs.size(); ++j)
      {
        const FileOption & first = executable.outputs[i];
        const FileOption & second = executable.outputs[j];
        if (i == j || !Accepts(second, first))
        {
          continue;
        }
        TemporaryDirectory directory("same-outputs-" + executable.name + "-" + first.option + "-" + second.option);
        WriteInputs(directory.Path());
        auto arguments = Arguments(executable, "");
        SetOption(arguments, second.option, "./" + first.file);
        const auto        before = Snapshot(directory.Path());
        const auto        result = RunToEnd(executable.path, arguments, directory.Path());
        const std::string context = executable.name + " --" + first.option + " --" + second.option + ": " + result.err;
        EXPECT_EQ(result.exitCode, 1) << context;
        EXPECT_EQ(Lines(result.err), 1) << context;
        EXPECT_NE(result.err.find("--" + first.option + " " + first.file), std::string::npos) << context;
        EXPECT_NE(result.err.find("--" + second.option + " ./" + first.file), std::string::npos) << context;
        EXPECT_TRUE(Snapshot(directory.Path()) == before) << context;
      }
    }
  }
}

// The region table's schema (T.schema.tsv) is an output too.
TEST(SameFileOutputs, RegionTableSchemaThatIsTheLabelNames)
{
  const ExecutableFiles & executable = Executables()[0];
  TemporaryDirectory      directory("same-file-schema");
  WriteInputs(directory.Path());
  fs::copy_file(directory / "names.tsv", directory / "regions.schema.tsv");
  auto arguments = Arguments(executable, directory.Path());
  SetOption(arguments, "labelNames", directory / "regions.schema.tsv");
  SetOption(arguments, "regionTable", directory / "regions.tsv");
  const auto before = Snapshot(directory.Path());
  const auto result = RunToEnd(executable.path, arguments, directory.Path());
  EXPECT_EQ(result.exitCode, 1) << result.err;
  EXPECT_EQ(Lines(result.err), 1) << result.err;
  EXPECT_NE(result.err.find("--labelNames " + (directory / "regions.schema.tsv")), std::string::npos) << result.err;
  EXPECT_TRUE(Snapshot(directory.Path()) == before);
}

} // namespace
