// Region names from text tables in their common dialects and from FSL atlas XML files.
#include "voxelkl/LabelNames.h"
#include "RegionTestSupport.h"
#include "voxelkl/Errors.h"

#include <gtest/gtest.h>

#include <fstream>

namespace
{
using voxelkl::LabelNames;
using voxelkl::ReadLabelNames;
using voxelkl::test::ScratchDirectory;

class LabelNamesFile : public ::testing::Test
{
protected:
  ScratchDirectory directory{ "names" };

  LabelNames
  Read(const std::string & contents, const std::string & file = "names.txt")
  {
    std::ofstream(directory / file, std::ios::binary) << contents;
    return ReadLabelNames(directory / file);
  }
  // Expects ReadLabelNames to throw InputError whose message holds every needle.
  void
  ExpectError(const std::string & contents, const std::vector<std::string> & needles)
  {
    try
    {
      Read(contents, "bad.txt");
      ADD_FAILURE() << "no error for: " << contents;
    }
    catch (const voxelkl::InputError & e)
    {
      const std::string message = e.what();
      EXPECT_NE(message.find(directory / "bad.txt"), std::string::npos) << message;
      for (const auto & needle : needles)
      {
        EXPECT_NE(message.find(needle), std::string::npos) << "missing '" << needle << "' in: " << message;
      }
    }
  }
};

TEST_F(LabelNamesFile, MricronAalStyleWithCodesAndCrLf)
{
  // aal.nii.txt: index, name, AAL code; DOS line ends, a blank last line.
  const auto names = Read("1 Precentral_L 2001\r\n2 Precentral_R 2002\r\n116 Vermis_10 9170\r\n\r\n");
  EXPECT_EQ(names, (LabelNames{ { 1, "Precentral_L" }, { 2, "Precentral_R" }, { 116, "Vermis_10" } }));
}

TEST_F(LabelNamesFile, TabSeparatedNamesKeepTheirSpaces)
{
  const auto names = Read("# region names\n\n1\tLeft Hemisphere\t0.5\n  # indented comment\n2\t Right Hemisphere \n");
  EXPECT_EQ(names, (LabelNames{ { 1, "Left Hemisphere" }, { 2, "Right Hemisphere" } }));
}

TEST_F(LabelNamesFile, SpaceSeparatedDialects)
{
  const auto names = Read("\xEF\xBB\xBF"                                          // a UTF-8 BOM
                          "3   Left-Cerebral-Cortex   205 62  78  0\n"            // FreeSurfer LUT: colours follow
                          "5 Brodmann area 4\n"                                   // a name of several words
                          "    7   255    0    0        1  1  1    \"Label 7\"\n" // ITK-SNAP: quoted
                          "-2 Negative\n");
  EXPECT_EQ(
    names,
    (LabelNames{ { -2, "Negative" }, { 3, "Left-Cerebral-Cortex" }, { 5, "Brodmann area 4" }, { 7, "Label 7" } }));
}

TEST_F(LabelNamesFile, BidsHeaderChoosesTheColumns)
{
  const auto names = Read("name\tindex\tabbreviation\nGray Matter\t1\tGM\nWhite Matter\t2\tWM\n", "dseg.tsv");
  EXPECT_EQ(names, (LabelNames{ { 1, "Gray Matter" }, { 2, "White Matter" } }));
}

TEST_F(LabelNamesFile, Latin1BecomesUtf8)
{
  const auto names = Read("1 Caf\xE9\n");
  EXPECT_EQ(names.at(1), "Caf\xC3\xA9");
}

TEST_F(LabelNamesFile, FslLabelAtlasIndexIsTheVoxelValue)
{
  const auto names = Read(R"(<?xml version="1.0" encoding="ISO-8859-1"?>
<atlas version="1.0">
  <header>
    <name>JHU ICBM-DTI-81 White-Matter Labels</name>
    <type>Label</type>
    <images><imagefile>/JHU/JHU-ICBM-labels-2mm</imagefile><summaryimagefile>/JHU/JHU-ICBM-labels-2mm</summaryimagefile></images>
  </header>
  <data>
    <label index="0" x="0" y="0" z="0">Unclassified</label>
    <label index="1" x="98" y="117" z="75">Middle cerebellar peduncle</label>
    <!-- <label index="2" x="0" y="0" z="0">commented out</label> -->
    <label x="91" y="133" z="85" index='3'>Genu of corpus callosum</label>
  </data>
</atlas>
)",
                          "JHU-labels.xml");
  EXPECT_EQ(
    names,
    (LabelNames{ { 0, "Unclassified" }, { 1, "Middle cerebellar peduncle" }, { 3, "Genu of corpus callosum" } }));
}

TEST_F(LabelNamesFile, FslProbabilisticAtlasSummaryValueIsIndexPlusOne)
{
  // HarvardOxford-Cortical.xml: index 0 is volume 0 of the 4D image and value 1 of the
  // maxprob image. Some FSL files spell the type "Probabalistic"; Latin-1 bytes occur.
  const auto names = Read("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<atlas><header><type>Probabalistic</type>"
                          "</header><data>\n"
                          "<label index=\"0\" x=\"48\" y=\"94\" z=\"35\">Frontal Pole</label>\n"
                          "<label index=\"1\" x=\"25\" y=\"70\" z=\"32\">Insular &amp; Opercular &#x43;ortex</label>\n"
                          "<label index=\"2\" x=\"1\" y=\"1\" z=\"1\">G\xE9nu</label>\n"
                          "</data></atlas>\n",
                          "HarvardOxford.xml");
  EXPECT_EQ(names, (LabelNames{ { 1, "Frontal Pole" }, { 2, "Insular & Opercular Cortex" }, { 3, "G\xC3\xA9nu" } }));
}

TEST_F(LabelNamesFile, MalformedFilesNameTheFileAndLine)
{
  ExpectError("1 One\n2 Two\nthree 3\n", { "line 3", "three 3" });
  ExpectError("1 One\n2\n", { "line 2", "label 2 has no name" });
  ExpectError("1 One\n# c\n1 Again\n", { "line 3", "label 1 is named twice (first on line 1)" });
  ExpectError("Precentral_L 1\n", { "line 1", "expected 'index name'" });
  ExpectError("99999999999 Huge\n", { "line 1" });
  ExpectError("\n# only comments\n", { "no label names" });
  ExpectError(std::string("\x1f\x8b\x08\0binary", 10), { "is a binary file" });
  ExpectError(std::string(100, 'x') + " 1\n", { std::string(57, 'x') + "...'" });
  ExpectError("<atlas><data><label index=\"0\">A</label></data></atlas>", { "<type>" });
  ExpectError("<atlas><header><type>Statistic</type></header></atlas>", { "line 1", "Statistic" });
  ExpectError("<atlas><header><type>Label</type></header><data>\n<label x=\"1\">A</label></data></atlas>",
              { "line 2", "without an index" });
  ExpectError("<atlas><header><type>Label</type></header><data>\n\n<label index=\"1.5\">A</label></data></atlas>",
              { "line 3", "'1.5'" });
  ExpectError("<atlas><header><type>Label</type></header><data></data></atlas>", { "without any <label" });
}

TEST(LabelNames, MissingFileAndDirectory)
{
  ScratchDirectory directory("names-missing");
  EXPECT_THROW(
    {
      try
      {
        ReadLabelNames(directory / "absent.txt");
      }
      catch (const voxelkl::InputError & e)
      {
        EXPECT_NE(std::string(e.what()).find("absent.txt: no such file"), std::string::npos) << e.what();
        throw;
      }
    },
    voxelkl::InputError);
  EXPECT_THROW(ReadLabelNames(directory / ""), voxelkl::InputError);
}

} // namespace
