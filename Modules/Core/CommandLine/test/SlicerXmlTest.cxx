// The --xml output against the rules of 3D Slicer's ModuleDescriptionParser
// (/work/shared/notes/slicer-cli.md, section 6).
#include "voxelkl/SlicerXml.h"
#include "voxelkl/CommandHelp.h"

#include "ExampleCommand.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

namespace
{

// Every element the parser knows; any other fails the whole module.
const std::set<std::string> SlicerElements{ "executable",
                                            "category",
                                            "title",
                                            "description",
                                            "version",
                                            "documentation-url",
                                            "license",
                                            "contributor",
                                            "acknowledgements",
                                            "index",
                                            "location",
                                            "parameters",
                                            "label",
                                            "name",
                                            "flag",
                                            "longflag",
                                            "default",
                                            "channel",
                                            "constraints",
                                            "minimum",
                                            "maximum",
                                            "step",
                                            "element",
                                            "integer",
                                            "float",
                                            "double",
                                            "boolean",
                                            "string",
                                            "integer-vector",
                                            "float-vector",
                                            "double-vector",
                                            "string-vector",
                                            "string-enumeration",
                                            "integer-enumeration",
                                            "float-enumeration",
                                            "double-enumeration",
                                            "point",
                                            "region",
                                            "pointfile",
                                            "file",
                                            "directory",
                                            "image",
                                            "geometry",
                                            "transform",
                                            "table",
                                            "measurement" };

// A tiny well-formedness check (no XML parser in this build): balanced tags, one root,
// quoted attributes, no bare '<', '>' or '&' in text. Returns the problem, or "".
std::string
XmlProblem(const std::string & xml, std::set<std::string> & elements)
{
  const std::string declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  if (xml.rfind(declaration, 0) != 0)
  {
    return "no declaration first";
  }
  std::vector<std::string> open;
  bool                     rootClosed = false;
  std::size_t              position = declaration.size();
  while (position < xml.size())
  {
    const std::size_t tag = xml.find('<', position);
    const std::string text = xml.substr(position, tag - position);
    if (text.find('>') != std::string::npos)
    {
      return "bare '>' in: " + text;
    }
    for (std::size_t amp = text.find('&'); amp != std::string::npos; amp = text.find('&', amp + 1))
    {
      const std::string rest = text.substr(amp);
      if (rest.rfind("&amp;", 0) != 0 && rest.rfind("&lt;", 0) != 0 && rest.rfind("&gt;", 0) != 0 &&
          rest.rfind("&quot;", 0) != 0 && rest.rfind("&apos;", 0) != 0)
      {
        return "bare '&' in: " + text;
      }
    }
    if ((open.empty() || rootClosed) && text.find_first_not_of(" \n") != std::string::npos)
    {
      return "text outside the root: " + text;
    }
    if (tag == std::string::npos)
    {
      break;
    }
    const std::size_t end = xml.find('>', tag);
    if (end == std::string::npos)
    {
      return "unterminated tag";
    }
    std::string inside = xml.substr(tag + 1, end - tag - 1);
    position = end + 1;
    if (inside.find('<') != std::string::npos || std::count(inside.begin(), inside.end(), '"') % 2 != 0)
    {
      return "malformed tag: " + inside;
    }
    if (inside.front() == '/')
    {
      if (open.empty() || open.back() != inside.substr(1))
      {
        return "unbalanced </" + inside.substr(1) + ">";
      }
      open.pop_back();
      rootClosed = open.empty();
      continue;
    }
    if (rootClosed)
    {
      return "a second root";
    }
    const bool selfClosing = inside.back() == '/';
    const auto name = inside.substr(0, inside.find_first_of(" /"));
    elements.insert(name);
    if (!selfClosing)
    {
      open.push_back(name);
    }
  }
  return open.empty() && rootClosed ? "" : "unclosed elements";
}

// The element of the given type whose <name> is name.
std::string
ElementOf(const std::string & xml, const std::string & element, const std::string & name)
{
  const std::size_t at = xml.find("<name>" + name + "</name>");
  if (at == std::string::npos)
  {
    return "";
  }
  const std::size_t begin = xml.rfind("<" + element, at);
  const std::size_t end = xml.find("</" + element + ">", at);
  if (begin == std::string::npos || end == std::string::npos ||
      xml.substr(begin, at - begin).find("<name>") != std::string::npos)
  {
    return "";
  }
  return xml.substr(begin, end - begin);
}

TEST(SlicerXml, StartsWithTheDeclaration)
{
  const std::string xml = voxelkl::FormatSlicerXml(voxelkl::test::ExampleCommand());
  // Slicer checks the first six bytes: no BOM, no whitespace.
  EXPECT_EQ(xml.rfind("<?xml ", 0), 0u);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<executable>\n", 0), 0u) << xml;
}

TEST(SlicerXml, WellFormedWithOnlySlicerElements)
{
  const std::string     xml = voxelkl::FormatSlicerXml(voxelkl::test::ExampleCommand());
  std::set<std::string> elements;
  EXPECT_EQ(XmlProblem(xml, elements), "") << xml;
  for (const auto & element : elements)
  {
    EXPECT_EQ(SlicerElements.count(element), 1u) << "Slicer rejects <" << element << ">";
  }
  EXPECT_EQ(elements.count("acknowledgements"), 1u);
}

TEST(SlicerXml, TheCheckerCatchesBrokenXml)
{
  std::set<std::string> elements;
  const std::string     declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  EXPECT_EQ(XmlProblem(declaration + "<a><b></b></a>\n", elements), "");
  EXPECT_NE(XmlProblem(declaration + "<a><b></a></b>", elements), "");
  EXPECT_NE(XmlProblem(declaration + "<a>x & y</a>", elements), "");
  EXPECT_NE(XmlProblem(declaration + "<a></a><b></b>", elements), "");
  EXPECT_NE(XmlProblem(" " + declaration + "<a></a>", elements), "");
}

TEST(SlicerXml, HeaderFields)
{
  const std::string xml = voxelkl::FormatSlicerXml(voxelkl::test::ExampleCommand());
  for (const char * field : { "<category>fMRI.VoxelKL</category>",
                              "<title>Voxel-wise KL divergence</title>",
                              "<version>" VOXELKL_EXPECTED_VERSION "</version>",
                              "<documentation-url>",
                              "<license>",
                              "<contributor>VoxelKL developers</contributor>",
                              "<acknowledgements>" })
  {
    EXPECT_NE(xml.find(field), std::string::npos) << field;
  }
}

TEST(SlicerXml, EveryVisibleFlagIsALongflagWithoutDashes)
{
  const std::string xml = voxelkl::FormatSlicerXml(voxelkl::test::ExampleCommand());
  for (const auto & flag : voxelkl::test::ExampleFlags())
  {
    const bool visible = flag != "debugDump";
    EXPECT_EQ(xml.find("<longflag>" + flag + "</longflag>") != std::string::npos, visible) << flag;
    EXPECT_EQ(xml.find("<name>" + flag + "</name>") != std::string::npos, visible) << flag;
  }
  EXPECT_EQ(xml.find("<longflag>-"), std::string::npos);
  EXPECT_EQ(xml.find("<index>"), std::string::npos); // never together with a flag
}

TEST(SlicerXml, ElementsByKind)
{
  const std::string xml = voxelkl::FormatSlicerXml(voxelkl::test::ExampleCommand());
  EXPECT_NE(ElementOf(xml, "image", "reference").find("<channel>input</channel>"), std::string::npos);
  // Slicer cannot repeat an image flag: a Multiple one is offered once, as a 4D volume.
  EXPECT_NE(ElementOf(xml, "image", "input").find("<channel>input</channel>"), std::string::npos);
  EXPECT_NE(xml.find("<image type=\"dynamic-contrast-enhanced\">\n      <name>input</name>"), std::string::npos) << xml;
  // A single input image stays a 3D scalar volume.
  EXPECT_NE(xml.find("<image>\n      <name>reference</name>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("multiple"), std::string::npos);
  EXPECT_NE(ElementOf(xml, "image", "output").find("<channel>output</channel>"), std::string::npos);
  EXPECT_NE(xml.find("<file fileExtensions=\".json,.txt\">\n      <name>summary</name>"), std::string::npos) << xml;
  EXPECT_NE(ElementOf(xml, "file", "config").find("<channel>input</channel>"), std::string::npos);

  const std::string direction = ElementOf(xml, "string-enumeration", "direction");
  EXPECT_NE(direction.find("<default>forward</default>"), std::string::npos) << direction;
  EXPECT_NE(direction.find("<element>forward</element>\n      <element>reverse</element>\n      "
                           "<element>symmetric</element>"),
            std::string::npos)
    << direction;
  EXPECT_NE(ElementOf(xml, "double", "alpha").find("<default>0.05</default>"), std::string::npos);
  EXPECT_NE(ElementOf(xml, "integer", "threads").find("<default>0</default>"), std::string::npos);
  EXPECT_NE(ElementOf(xml, "boolean", "verbose").find("<default>false</default>"), std::string::npos);
  EXPECT_NE(ElementOf(xml, "string", "tag").find("<default>run</default>"), std::string::npos);
  // Slicer always passes a number; an unset one must be a string, passed only when typed.
  EXPECT_NE(ElementOf(xml, "string", "varianceFloor"), "");
  EXPECT_EQ(ElementOf(xml, "string", "varianceFloor").find("<default>"), std::string::npos);
  EXPECT_NE(ElementOf(xml, "string", "bins"), "");
  // Only bulk data has a channel.
  EXPECT_EQ(ElementOf(xml, "integer", "threads").find("<channel>"), std::string::npos);
}

TEST(SlicerXml, ReturnValuesHaveOutputChannelAndNoFlag)
{
  const std::string xml = voxelkl::FormatSlicerXml(voxelkl::test::ExampleCommand());
  const std::string meanKL = ElementOf(xml, "double", "meanKL");
  EXPECT_NE(meanKL.find("<channel>output</channel>"), std::string::npos) << xml;
  EXPECT_NE(meanKL.find("<label>Mean KL</label>"), std::string::npos) << xml;
  EXPECT_EQ(meanKL.find("flag>"), std::string::npos) << meanKL;
  EXPECT_EQ(meanKL.find("<index>"), std::string::npos) << meanKL;
}

TEST(SlicerXml, OneParametersElementPerGroup)
{
  auto d = voxelkl::test::ExampleCommand();
  d.groups.back().advanced = true;
  d.AddGroup("Terminal only").Add(voxelkl::Parameter::Boolean("trace", "Trace", "").HiddenFromSlicer());
  const std::string xml = voxelkl::FormatSlicerXml(d);
  std::size_t       count = 0;
  for (std::size_t at = xml.find("<parameters"); at != std::string::npos; at = xml.find("<parameters", at + 1))
  {
    ++count;
  }
  EXPECT_EQ(count, 4u); // Inputs, Outputs, Options, Results; no empty box for "Terminal only"
  EXPECT_NE(xml.find("<parameters advanced=\"true\">\n    <label>Options</label>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<label>Inputs</label>\n    <description>The series to compare</description>"), std::string::npos);
  EXPECT_EQ(xml.find("Terminal only"), std::string::npos);
}

TEST(SlicerXml, Escaping)
{
  EXPECT_EQ(voxelkl::EscapeXml("a<b>&\"c'd"), "a&lt;b&gt;&amp;&quot;c&apos;d");
  EXPECT_EQ(voxelkl::EscapeXml("tab\there\nline\x01"), "tab\there\nline");
  const std::string xml = voxelkl::FormatSlicerXml(voxelkl::test::ExampleCommand());
  EXPECT_NE(xml.find("Values of &lt;noise&gt; &amp; &quot;drift&quot;"), std::string::npos) << xml;

  auto d = voxelkl::test::ExampleCommand();
  d.title = "KL <P||Q> & co";
  d.groups.front().parameters.front() =
    voxelkl::Parameter::InputImage("reference", "Reference \"real\"", "P in D(P||Q) < 1 & > 0").Required();
  const std::string     escaped = voxelkl::FormatSlicerXml(d);
  std::set<std::string> elements;
  EXPECT_EQ(XmlProblem(escaped, elements), "") << escaped;
  EXPECT_NE(escaped.find("<title>KL &lt;P||Q&gt; &amp; co</title>"), std::string::npos);
}

TEST(SlicerXml, XmllintAgrees)
{
#ifdef VOXELKL_XMLLINT
  const std::string path = testing::TempDir() + "VoxelKLCommandLineTests.xml";
  std::ofstream(path) << voxelkl::FormatSlicerXml(voxelkl::test::ExampleCommand());
  EXPECT_EQ(std::system(fmt::format("'{}' --noout '{}'", VOXELKL_XMLLINT, path).c_str()), 0);
  std::remove(path.c_str());
#else
  GTEST_SKIP() << "xmllint (libxml2-utils) was not found at configure time";
#endif
}

TEST(SlicerXml, InvalidDescriptionGivesNoXml)
{
  auto d = voxelkl::test::ExampleCommand();
  d.title.clear();
  EXPECT_THROW(voxelkl::FormatSlicerXml(d), std::logic_error);
}

} // namespace

namespace
{
TEST(SlicerXml, OutputTableIsASlicerTable)
{
  voxelkl::CommandDescription d = voxelkl::test::ExampleCommand();
  d.AddGroup("Tables").Add(voxelkl::Parameter::OutputTable("regionTable", "Regions", "Per-region statistics."));
  const std::string xml = voxelkl::FormatSlicerXml(d);
  // A plain table (no type: "color" is the only one), written by the executable.
  EXPECT_NE(xml.find("<table fileExtensions=\".tsv\">\n      <name>regionTable</name>"), std::string::npos) << xml;
  EXPECT_NE(ElementOf(xml, "table", "regionTable").find("<channel>output</channel>"), std::string::npos);
  EXPECT_NE(voxelkl::FormatHelp(d).find("--regionTable TABLE.tsv"), std::string::npos);
}
} // namespace
