// Every kind of parameter parsed as a terminal user and as 3D Slicer pass it.
#include "voxelkl/ParsedArguments.h"

#include "ExampleCommand.h"
#include "voxelkl/Errors.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace
{

using voxelkl::test::MinimalArguments;

voxelkl::ParsedArguments
Parse(const std::vector<std::string> & arguments)
{
  return voxelkl::ParseCommandLine(voxelkl::test::ExampleCommand(), arguments);
}

// The UsageError message of arguments, or "" when they parse.
std::string
UsageErrorOf(const std::vector<std::string> & arguments)
{
  try
  {
    Parse(arguments);
  }
  catch (const voxelkl::UsageError & error)
  {
    return error.what();
  }
  return "";
}

TEST(ParseCommandLine, EveryKind)
{
  const auto args = Parse(MinimalArguments({ "--config",
                                             "c.json",
                                             "--summary",
                                             "s.json",
                                             "--direction",
                                             "reverse",
                                             "--varianceFloor",
                                             "1e-3",
                                             "--alpha",
                                             "0.01",
                                             "--threads",
                                             "4",
                                             "--bins",
                                             "-2",
                                             "--tag",
                                             "first",
                                             "--note",
                                             "",
                                             "--verbose" }));
  EXPECT_EQ(args.GetString("reference"), "real.nii.gz");
  EXPECT_EQ(args.GetStrings("input"), std::vector<std::string>{ "gen.nii.gz" });
  EXPECT_EQ(args.GetString("config"), "c.json");
  EXPECT_EQ(args.GetString("output"), "kl.nrrd");
  EXPECT_EQ(args.GetString("summary"), "s.json");
  EXPECT_EQ(args.GetString("direction"), "reverse");
  EXPECT_EQ(args.GetOptionalDouble("varianceFloor"), 1e-3);
  EXPECT_EQ(args.GetDouble("alpha"), 0.01);
  EXPECT_EQ(args.GetInt("threads"), 4);
  EXPECT_EQ(args.GetOptionalInt("bins"), -2);
  EXPECT_EQ(args.GetString("tag"), "first");
  EXPECT_EQ(args.GetOptionalString("note"), ""); // given empty: present
  EXPECT_TRUE(args.GetFlag("verbose"));
  EXPECT_FALSE(args.ReturnParameterFile().has_value());
}

TEST(ParseCommandLine, Defaults)
{
  const auto args = Parse(MinimalArguments());
  EXPECT_EQ(args.GetString("direction"), "forward");
  EXPECT_EQ(args.GetDouble("alpha"), 0.05);
  EXPECT_EQ(args.GetInt("threads"), 0);
  EXPECT_EQ(args.GetString("tag"), "run");
  EXPECT_FALSE(args.GetFlag("verbose"));
  EXPECT_TRUE(args.Has("threads"));
  // No default, not given: absent.
  EXPECT_FALSE(args.Has("summary"));
  EXPECT_FALSE(args.GetOptionalString("summary").has_value());
  EXPECT_FALSE(args.GetOptionalDouble("varianceFloor").has_value());
  EXPECT_FALSE(args.GetOptionalInt("bins").has_value());
  EXPECT_THROW(args.GetDouble("varianceFloor"), std::logic_error);
  EXPECT_THROW(args.GetString("summary"), std::logic_error);
}

TEST(ParseCommandLine, JoinedValues)
{
  const auto args = Parse({ "--reference=real.nii.gz",
                            "--input=a.nii",
                            "--output=o.nrrd",
                            "--threads=3",
                            "--direction=symmetric",
                            "--alpha=-0.5" });
  EXPECT_EQ(args.GetString("reference"), "real.nii.gz");
  EXPECT_EQ(args.GetInt("threads"), 3);
  EXPECT_EQ(args.GetString("direction"), "symmetric");
  EXPECT_EQ(args.GetDouble("alpha"), -0.5);
}

TEST(ParseCommandLine, NegativeNumberAsSeparateToken)
{
  // As Slicer passes a negative value: `--x -0.5`.
  const auto args = Parse(MinimalArguments({ "--alpha", "-0.5", "--bins", "+7" }));
  EXPECT_EQ(args.GetDouble("alpha"), -0.5);
  EXPECT_EQ(args.GetInt("bins"), 7);
}

TEST(ParseCommandLine, RepeatedOption)
{
  const auto args = Parse(MinimalArguments({ "--input", "b.nii", "--input=c.nii" }));
  EXPECT_EQ(args.GetStrings("input"), (std::vector<std::string>{ "gen.nii.gz", "b.nii", "c.nii" }));
  EXPECT_THROW(args.GetString("input"), std::logic_error);
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--threads", "1", "--threads", "2" })),
            "--threads is given more than once");
}

TEST(ParseCommandLine, MissingRequired)
{
  EXPECT_EQ(UsageErrorOf({ "--input", "a.nii", "--output", "o.nrrd" }), "missing required option --reference");
  EXPECT_EQ(UsageErrorOf({ "--reference", "r.nii", "--output", "o.nrrd" }), "missing required option --input");
}

TEST(ParseCommandLine, UnknownOption)
{
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--frobnicate", "1" })), "unknown option '--frobnicate'");
  // No abbreviations: they break when a longer option appears.
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--thr", "1" })), "unknown option '--thr'");
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--thr=1" })), "unknown option '--thr'");
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "-x" })), "unknown option '-x'");
}

TEST(ParseCommandLine, BadNumbers)
{
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--threads", "four" })), "--threads: expected an integer, got 'four'");
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--threads", "2.5" })), "--threads: expected an integer, got '2.5'");
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--threads", "99999999999" })), "--threads: '99999999999' is out of range");
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--alpha", "0.1x" })), "--alpha: expected a number, got '0.1x'");
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--alpha", "nan" })), "--alpha: expected a finite number, got 'nan'");
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--alpha", "" })), "--alpha: expected a number, got ''");
}

TEST(ParseCommandLine, BadEnumeration)
{
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--direction", "x" })),
            "--direction: unknown value 'x' (expected forward, reverse or symmetric)");
}

TEST(ParseCommandLine, BoolSwitch)
{
  EXPECT_TRUE(Parse(MinimalArguments({ "--verbose" })).GetFlag("verbose"));
  // A switch takes no value: Slicer passes the bare flag, never `--verbose true`.
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--verbose=true" })), "--verbose is a switch and takes no value");
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--verbose", "true" })), "unexpected argument 'true'");
}

TEST(ParseCommandLine, PositionalArgument)
{
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "extra.nii" })), "unexpected argument 'extra.nii'");
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--", "--threads" })), "unexpected argument '--threads'");
}

TEST(ParseCommandLine, MissingValue)
{
  EXPECT_EQ(UsageErrorOf(MinimalArguments({ "--threads" })), "--threads: missing value");
  EXPECT_EQ(UsageErrorOf({ "--reference", "", "--input", "a", "--output", "o" }),
            "--reference: the file name is empty");
}

TEST(ParseCommandLine, SlicerArguments)
{
  const auto args = Parse(MinimalArguments(
    { "--returnparameterfile", "/tmp/4711_a8Kq2ZpL0x.params", "--processinformationaddress", "0x1234" }));
  EXPECT_EQ(args.ReturnParameterFile(), "/tmp/4711_a8Kq2ZpL0x.params");
}

TEST(ParseCommandLine, GetterMisuseIsAProgrammingError)
{
  const auto args = Parse(MinimalArguments());
  EXPECT_THROW(args.GetInt("direction"), std::logic_error);
  EXPECT_THROW(args.GetString("threads"), std::logic_error);
  EXPECT_THROW(args.GetDouble("threads"), std::logic_error);
  EXPECT_THROW(args.GetFlag("tag"), std::logic_error);
  EXPECT_THROW(args.GetStrings("alpha"), std::logic_error);
  EXPECT_THROW(args.Has("nonexistent"), std::logic_error);
  EXPECT_THROW(args.GetString("nonexistent"), std::logic_error);
}

} // namespace
