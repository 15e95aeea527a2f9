// Misdeclared commands fail at once, with std::logic_error: they are programming errors.
#include "voxelkl/CommandDescription.h"

#include "ExampleCommand.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace
{

using voxelkl::Parameter;

TEST(CommandDescription, ExampleIsValid)
{
  EXPECT_NO_THROW(voxelkl::test::ExampleCommand().Validate());
}

TEST(CommandDescription, FlagsMustBeIdentifiers)
{
  // 3D Slicer rejects a longflag such as num-bins, which would lose the whole module.
  EXPECT_THROW(Parameter::Integer("num-bins", "Bins", ""), std::logic_error);
  EXPECT_THROW(Parameter::Integer("--bins", "Bins", ""), std::logic_error);
  EXPECT_THROW(Parameter::Integer("2bins", "Bins", ""), std::logic_error);
  EXPECT_THROW(Parameter::Integer("", "Bins", ""), std::logic_error);
  EXPECT_NO_THROW(Parameter::Integer("_bins2", "Bins", ""));
  EXPECT_THROW(voxelkl::ReturnValue::Double("mean-KL", "Mean", ""), std::logic_error);
}

TEST(CommandDescription, AttributesThatCannotHold)
{
  EXPECT_THROW(Parameter::Boolean("verbose", "Verbose", "").Required(), std::logic_error);
  EXPECT_THROW(Parameter::Integer("threads", "Threads", "", 0).Required(), std::logic_error);
  EXPECT_THROW(Parameter::Integer("threads", "Threads", "").Multiple(), std::logic_error);
  EXPECT_THROW(Parameter::InputImage("image", "Image", "").Required().HiddenFromSlicer(), std::logic_error);
  EXPECT_THROW(Parameter::InputImage("image", "Image", "").HiddenFromSlicer().Required(), std::logic_error);
  EXPECT_THROW(Parameter::Enumeration("direction", "Direction", "", { "a", "b" }, "c"), std::logic_error);
  EXPECT_THROW(Parameter::Enumeration("direction", "Direction", "", {}, ""), std::logic_error);
  EXPECT_THROW(Parameter::Enumeration("direction", "Direction", "", { "a", "a" }, "a"), std::logic_error);
  EXPECT_THROW(Parameter::OutputFile("summary", "Summary", "", { "json" }), std::logic_error);
  EXPECT_THROW(Parameter::Double("alpha", "Alpha", "", std::nan("")), std::logic_error);
  EXPECT_THROW(Parameter::Double("alpha", "", ""), std::logic_error);
}

TEST(CommandDescription, DefaultsAreCommandLineText)
{
  EXPECT_EQ(Parameter::Double("alpha", "Alpha", "", 1e-6).Default(), "1e-06");
  EXPECT_EQ(Parameter::Double("alpha", "Alpha", "", 0.5).Default(), "0.5");
  EXPECT_EQ(Parameter::Integer("threads", "Threads", "", -3).Default(), "-3");
  EXPECT_FALSE(Parameter::Double("alpha", "Alpha", "").Default().has_value());
  EXPECT_FALSE(Parameter::Boolean("verbose", "Verbose", "").Default().has_value());
}

TEST(CommandDescription, NamesAreUniqueAndNotStandard)
{
  auto twice = voxelkl::test::ExampleCommand();
  twice.AddGroup("More").Add(Parameter::Integer("threads", "Threads", ""));
  EXPECT_THROW(twice.Validate(), std::logic_error);

  auto clash = voxelkl::test::ExampleCommand();
  clash.AddReturnValue(voxelkl::ReturnValue::Double("alpha", "Alpha", ""));
  EXPECT_THROW(clash.Validate(), std::logic_error);

  for (const char * standard : { "help", "h", "version", "xml", "returnparameterfile", "processinformationaddress" })
  {
    auto shadowing = voxelkl::test::ExampleCommand();
    shadowing.AddGroup("More").Add(Parameter::Boolean(standard, "Standard", ""));
    EXPECT_THROW(shadowing.Validate(), std::logic_error) << standard;
  }
}

TEST(CommandDescription, TeachesByExample)
{
  auto d = voxelkl::test::ExampleCommand();
  d.examples.clear();
  EXPECT_THROW(d.Validate(), std::logic_error);
  d = voxelkl::test::ExampleCommand();
  d.category.clear();
  EXPECT_THROW(d.Validate(), std::logic_error);
}

TEST(CommandDescription, GroupReferencesSurviveLaterGroups)
{
  voxelkl::CommandDescription d;
  auto &                      inputs = d.AddGroup("Inputs");
  for (int i = 0; i < 100; ++i)
  {
    d.AddGroup("Group" + std::to_string(i));
  }
  inputs.Add(Parameter::InputImage("image", "Image", ""));
  EXPECT_EQ(d.groups.front().parameters.size(), 1u);
}

} // namespace
