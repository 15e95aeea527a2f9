// The ways into a cohort: the index (columns, paths, blank and CRLF lines, every refusal),
// BIDS file names, and the summaries' fields (every missing or mistyped one refused by name).
#include "CohortTestSupport.h"
#include "voxelkl/Cohort.h"
#include "voxelkl/Errors.h"

#include <gtest/gtest.h>

namespace
{
using namespace voxelkl;
using namespace voxelkl::test;

TEST(CohortIndex, ColumnsByNameAndPathsRelativeToTheIndex)
{
  const std::string text = "\xEF\xBB\xBFsubject\tmodel\tsummary\tregionTable\r\n"
                           "01\tmse\tsub-01/kl.json\tsub-01/regions.tsv\r\n"
                           "\r\n"
                           "02\tmse\t/abs/kl.json\t\r\n"
                           "03\tmse\tsub-03/kl.json\n";
  const auto        entries = ParseCohortIndex(text, "study/derivatives/cohort_index.tsv");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].subject, "01");
  EXPECT_EQ(entries[0].model, "mse");
  EXPECT_EQ(entries[0].summary, "study/derivatives/sub-01/kl.json");
  EXPECT_EQ(entries[0].regionTable, "study/derivatives/sub-01/regions.tsv");
  EXPECT_EQ(entries[0].spatialSummary, "");
  EXPECT_EQ(entries[0].origin, "study/derivatives/cohort_index.tsv:2");
  EXPECT_EQ(entries[1].summary, "/abs/kl.json");
  EXPECT_EQ(entries[1].regionTable, "") << "an empty cell is no region table";
  EXPECT_EQ(entries[1].origin, "study/derivatives/cohort_index.tsv:4") << "line numbers count the blank line";
  EXPECT_EQ(entries[2].regionTable, "") << "a missing last cell of an optional column is none";

  // Another order, the spatial column, no model column; an index in the working directory.
  const auto other = ParseCohortIndex("summary\tspatialSummary\tsubject\nkl.json\tspatial.json\tA\n", "index.tsv");
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].subject, "A");
  EXPECT_EQ(other[0].model, "");
  EXPECT_EQ(other[0].summary, "kl.json");
  EXPECT_EQ(other[0].spatialSummary, "spatial.json");

  // n/a is no model (BIDS).
  EXPECT_EQ(ParseCohortIndex("subject\tmodel\tsummary\n01\tn/a\tkl.json\n", "i.tsv")[0].model, "");
}

TEST(CohortIndex, EveryMistakeNamesTheIndexAndTheLine)
{
  const auto parse = [](const std::string & text) { return [text] { ParseCohortIndex(text, "cohort_index.tsv"); }; };
  ExpectInputError(parse(""), { "cohort_index.tsv: is empty" });
  ExpectInputError(parse("subject\tmodel\tsummary\n"), { "cohort_index.tsv: has no rows" });
  ExpectInputError(parse("subject\tmodle\tsummary\n01\ta\tkl.json\n"),
                   { "cohort_index.tsv", "unknown column 'modle'" });
  ExpectInputError(parse("01\ta\tkl.json\n"), { "unknown column '01'" });
  ExpectInputError(parse("subject\tmodel\tregionTable\n01\ta\tr.tsv\n"), { "no 'summary' column" });
  ExpectInputError(parse("subject\tsummary\tsubject\n01\tkl.json\t01\n"), { "column 'subject' appears twice" });
  ExpectInputError(parse("subject\tsummary\n01\tkl.json\textra\n"),
                   { "cohort_index.tsv:2: 3 cells, the header has 2" });
  ExpectInputError(parse("subject\tmodel\tsummary\n01\ta\tkl.json\n\t\ta.json\n"),
                   { "cohort_index.tsv:3: no subject" });
  ExpectInputError(parse("subject\tsummary\nn/a\tkl.json\n"), { "cohort_index.tsv:2: no subject" });
  ExpectInputError(parse("subject\tmodel\tsummary\n01\ta\t\n"),
                   { "cohort_index.tsv:2: no summary for subject 01, model a" });
  ExpectInputError(parse("subject\tmodel\tsummary\n01 \ta\tkl.json\n"),
                   { "subject '01 ' begins or ends with a space" });
  ExpectInputError(parse("subject\tmodel\tsummary\n01\ta\tx.json\n02\ta\ty.json\n01\ta\tz.json\n"),
                   { "cohort_index.tsv:4: subject 01, model a is given twice (also on line 2)" });
  ExpectInputError([] { ReadCohortIndex("/nonexistent/cohort_index.tsv"); },
                   { "/nonexistent/cohort_index.tsv: no such file" });
}

TEST(CohortNames, BidsEntitiesOfAFileName)
{
  const auto entities = BidsEntities("/data/derivatives/sub-01/sub-01_ses-2_model-mseKL_desc-x_kl.json");
  const std::vector<std::pair<std::string, std::string>> expected{
    { "sub", "01" }, { "ses", "2" }, { "model", "mseKL" }, { "desc", "x" }
  };
  EXPECT_EQ(entities, expected);
  EXPECT_TRUE(BidsEntities("kl.json").empty());
  ExpectInputError([] { BidsEntities("d/sub-01_sub-02_kl.json"); },
                   { "d/sub-01_sub-02_kl.json", "'sub-' appears twice" });
}

TEST(CohortSummaries, FieldsOfAVoxelKLSummary)
{
  auto document = KLSummaryDocument(0.25, 0.125, 900, 3.5, "knn", "reverse");
  document["regions"] = RegionJson({ "kl" }, { { 1, "Precentral_L", 40, { { 38, 0.5 } } } });
  const KLRunSummary summary = ParseKLSummary(document, "kl.json");
  EXPECT_EQ(summary.path, "kl.json");
  EXPECT_EQ(summary.estimator, "knn");
  EXPECT_EQ(summary.direction, "reverse");
  EXPECT_EQ(summary.validVoxels, 900u);
  EXPECT_EQ(summary.meanKL, 0.25);
  EXPECT_EQ(summary.medianKL, 0.125);
  EXPECT_EQ(summary.globalMSE, 3.5);
  ASSERT_TRUE(summary.regions);
  ASSERT_EQ(summary.regions->rows.size(), 1u);
  EXPECT_EQ(summary.regions->rows[0].maps[0].median, 0.5);
  // The settings that must agree within a model, runs made explicit.
  EXPECT_NE(std::find(summary.settings.begin(),
                      summary.settings.end(),
                      std::pair<std::string, std::string>{ "options.runs", "\"concatenate\"" }),
            summary.settings.end());
  EXPECT_NE(std::find(summary.settings.begin(),
                      summary.settings.end(),
                      std::pair<std::string, std::string>{ "options.neighbours", "5" }),
            summary.settings.end());

  // Without paired maps there is no globalMSE; without valid voxels no mean or median.
  const auto unpaired = ParseKLSummary(KLSummaryDocument(0.25, 0.125, 900), "kl.json");
  EXPECT_FALSE(unpaired.globalMSE);
  EXPECT_FALSE(unpaired.regions);
  const auto empty = ParseKLSummary(KLSummaryDocument(0.0, 0.0, 0), "kl.json");
  EXPECT_FALSE(empty.meanKL);
  EXPECT_FALSE(empty.medianKL);
  // NaN is written as null by JSON: no value.
  auto nullMSE = KLSummaryDocument(0.25, 0.125, 900, 1.0);
  nullMSE["globalMSE"] = nullptr;
  EXPECT_FALSE(ParseKLSummary(nullMSE, "kl.json").globalMSE);
}

TEST(CohortSummaries, FieldsOfASpatialKLSummary)
{
  const auto summary = ParseSpatialKLSummary(SpatialSummaryDocument(0.75), "spatial.json");
  EXPECT_EQ(summary.spatialKL, 0.75);
  EXPECT_EQ(summary.direction, "reverse");
  EXPECT_EQ(summary.standardize, "volume");
  EXPECT_EQ(summary.temperature, 1.0);
  auto none = SpatialSummaryDocument(0.0);
  none["spatialKL"]["count"] = 0;
  EXPECT_FALSE(ParseSpatialKLSummary(none, "spatial.json").spatialKL);
}

TEST(CohortSummaries, AMissingOrMistypedFieldIsNamed)
{
  for (const std::string field : { "options", "voxels", "kl" })
  {
    auto document = KLSummaryDocument(0.25, 0.125, 900);
    document.erase(field);
    ExpectInputError([&] { ParseKLSummary(document, "sub-01.json"); },
                     { "sub-01.json: no field '" + field + ".", "not a complete VoxelKLDivergence summary" });
  }
  for (const std::string field : { "median", "mean", "count" })
  {
    auto document = KLSummaryDocument(0.25, 0.125, 900);
    document["kl"].erase(field);
    ExpectInputError([&] { ParseKLSummary(document, "sub-01.json"); }, { "sub-01.json: no field 'kl." + field + "'" });
  }
  auto text = KLSummaryDocument(0.25, 0.125, 900);
  text["kl"]["median"] = "0.1";
  ExpectInputError([&] { ParseKLSummary(text, "sub-01.json"); },
                   { "sub-01.json: field 'kl.median' is string, expected a number" });
  auto negative = KLSummaryDocument(0.25, 0.125, 900);
  negative["voxels"]["valid"] = -3;
  ExpectInputError([&] { ParseKLSummary(negative, "sub-01.json"); }, { "'voxels.valid' is number, expected a count" });
  auto spatial = SpatialSummaryDocument(0.5);
  spatial["options"].erase("temperature");
  ExpectInputError([&] { ParseSpatialKLSummary(spatial, "s.json"); },
                   { "s.json: no field 'options.temperature': not a complete SpatialKLDivergence summary" });
  auto regions = KLSummaryDocument(0.25, 0.125, 900);
  regions["regions"] = RegionJson({ "kl" }, { { 1, "a", 40, { { 38, 0.5 } } } });
  regions["regions"]["regions"][0]["statistics"]["kl"]["median"] = nullptr;
  ExpectInputError([&] { ParseKLSummary(regions, "sub-01.json"); },
                   { "sub-01.json: regions.regions[0].statistics.kl.median", "not a finite number" });
}

TEST(CohortSummaries, AnotherDocumentIsNotTakenForASummary)
{
  ExpectInputError(
    [] {
      ParseKLSummary(nlohmann::json::array({ 1, 2 }), "x.json");
    },
    { "x.json: not a VoxelKL summary (no 'tool' field)" });
  ExpectInputError(
    [] {
      ParseKLSummary({ { "maps", { "kl" } } }, "regions.json");
    },
    { "regions.json: not a VoxelKL summary" });
  ExpectInputError([] { ParseKLSummary({ { "tool", "fmriprep" } }, "x.json"); }, { "a summary of 'fmriprep'" });
  ExpectInputError([] { ParseKLSummary(SpatialSummaryDocument(0.5), "spatial.json"); },
                   { "spatial.json: a SpatialKLDivergence summary where a VoxelKLDivergence summary is expected",
                     "spatialSummary column" });
  ExpectInputError([] { ParseSpatialKLSummary(KLSummaryDocument(0.1, 0.1, 1), "kl.json"); },
                   { "kl.json: a VoxelKLDivergence summary where a SpatialKLDivergence summary is expected" });

  Scratch scratch("not-json");
  WriteText(scratch / "broken.json", "{\"tool\": \"VoxelKLDivergence\",\n");
  ExpectInputError([&] { ReadJsonDocument(scratch / "broken.json"); }, { scratch / "broken.json", "not JSON: " });
  ExpectInputError([&] { ReadJsonDocument(scratch / "absent.json"); }, { scratch / "absent.json", "no such file" });
  ExpectInputError([&] { ReadJsonDocument(scratch.Path()); }, { "is a directory" });
}

} // namespace
