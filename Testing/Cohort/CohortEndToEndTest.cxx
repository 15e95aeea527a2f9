// VoxelKLCohort on the summaries and region tables VoxelKLDivergence and
// SpatialKLDivergence wrote for three subjects: every number of the cohort table is the
// summary's, every region median the region table's, the group statistics those of the
// medians (recomputed here); the BIDS-named summaries give the same tables as the index.
#include "CohortFiles.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

class CohortRun : public ::testing::Test
{
protected:
  static void
  SetUpTestSuite()
  {
    s_Directory = new TemporaryDirectory("cohort");
    s_Error = WriteCohortFiles(s_Directory->Path());
  }
  static void
  TearDownTestSuite()
  {
    delete s_Directory;
    s_Directory = nullptr;
  }
  void
  SetUp() override
  {
    ASSERT_EQ(s_Error, "") << "writing the subjects' files failed";
  }
  static std::string
  File(const std::string & name)
  {
    return *s_Directory / name;
  }

  static TemporaryDirectory * s_Directory;
  static std::string          s_Error;
};
TemporaryDirectory * CohortRun::s_Directory = nullptr;
std::string          CohortRun::s_Error;

double
Number(const std::string & cell)
{
  return std::stod(cell);
}

TEST_F(CohortRun, TablesHoldTheNumbersOfTheSummariesAndRegionTables)
{
  fs::create_directories(File("group"));
  const auto result = RunProgram(VOXELKL_COHORT_EXECUTABLE,
                                 { "--index",
                                   File("cohort_index.tsv"),
                                   "--table",
                                   File("group/cohort.tsv"),
                                   "--regionTable",
                                   File("group/cohort_regions.tsv"),
                                   "--groupTable",
                                   File("group/group_regions.tsv") });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "");
  EXPECT_NE(result.out.find("Cohort table: " + File("group/cohort.tsv") + " (3 rows: 3 subjects, 1 model)"),
            std::string::npos)
    << result.out;
  // --mse makes the paired maps: mse and correlation, both in the region table.
  EXPECT_NE(result.out.find("(maps: kl, mse, correlation)"), std::string::npos) << result.out;
  for (const char * schema : { "cohort.schema.tsv", "cohort_regions.schema.tsv", "group_regions.schema.tsv" })
  {
    EXPECT_TRUE(fs::exists(File(std::string("group/") + schema))) << schema;
  }

  // The cohort table: one row per subject, the summaries' numbers.
  const auto table = ReadTable(File("group/cohort.tsv"));
  ASSERT_EQ(table.size(), CohortSubjects().size());
  for (std::size_t s = 0; s < CohortSubjects().size(); ++s)
  {
    const CohortSubject & subject = CohortSubjects()[s];
    const auto &          row = table[s];
    const auto            summary = ReadJson(File(subject.Summary()));
    EXPECT_EQ(row.at("#cells"), "12");
    EXPECT_EQ(row.at("subject"), subject.subject);
    EXPECT_EQ(row.at("model"), "demo");
    EXPECT_EQ(row.at("estimator"), "gaussian");
    EXPECT_EQ(row.at("direction"), "forward");
    EXPECT_EQ(row.at("validVoxels"), std::to_string(summary["voxels"]["valid"].get<std::size_t>()));
    EXPECT_GT(summary["voxels"]["valid"].get<std::size_t>(), 0u);
    EXPECT_EQ(Number(row.at("meanKL")), summary["kl"]["mean"].get<double>()) << subject.subject;
    EXPECT_EQ(Number(row.at("medianKL")), summary["kl"]["median"].get<double>()) << subject.subject;
    if (subject.mse)
    {
      EXPECT_EQ(Number(row.at("globalMSE")), summary["globalMSE"].get<double>()) << subject.subject;
    }
    else
    {
      EXPECT_FALSE(summary.contains("globalMSE"));
      EXPECT_EQ(row.at("globalMSE"), "n/a");
    }
    if (subject.spatial)
    {
      const auto spatial = ReadJson(File(subject.Spatial()));
      EXPECT_EQ(Number(row.at("spatialKL")), spatial["spatialKL"]["mean"].get<double>());
      EXPECT_EQ(row.at("spatialDirection"), "reverse");
      EXPECT_EQ(row.at("spatialStandardize"), "volume");
      EXPECT_EQ(row.at("spatialTemperature"), "1");
    }
    else
    {
      for (const char * column : { "spatialKL", "spatialDirection", "spatialStandardize", "spatialTemperature" })
      {
        EXPECT_EQ(row.at(column), "n/a") << column;
      }
    }
  }

  // The region table: each subject's regions with the medians of its region table.
  const auto  regions = ReadTable(File("group/cohort_regions.tsv"));
  std::size_t line = 0;
  // label -> medians of kl and mse over the subjects, for the group statistics below.
  std::map<std::string, std::map<std::string, std::vector<double>>> medians;
  std::map<std::string, std::string>                                names;
  for (const CohortSubject & subject : CohortSubjects())
  {
    const auto own = ReadTable(File(subject.Regions()));
    ASSERT_EQ(own.size(), 3u) << "three atlas labels";
    for (const auto & region : own)
    {
      ASSERT_LT(line, regions.size());
      const auto & row = regions[line++];
      EXPECT_EQ(row.at("#cells"), "11");
      EXPECT_EQ(row.at("subject"), subject.subject);
      EXPECT_EQ(row.at("model"), "demo");
      EXPECT_EQ(row.at("label"), region.at("label"));
      EXPECT_EQ(row.at("name"), region.at("name"));
      EXPECT_EQ(row.at("voxels"), region.at("voxels"));
      names[region.at("label")] = region.at("name");
      for (const std::string map : { "kl", "mse", "correlation" })
      {
        if (region.count(map + "_median") == 0)
        {
          EXPECT_FALSE(subject.mse);
          EXPECT_EQ(row.at(map + "_count"), "n/a");
          EXPECT_EQ(row.at(map + "_median"), "n/a");
          continue;
        }
        EXPECT_EQ(row.at(map + "_count"), region.at(map + "_count"));
        ASSERT_NE(region.at(map + "_median"), "") << "every region of the atlas has valid voxels here";
        EXPECT_EQ(Number(row.at(map + "_median")), Number(region.at(map + "_median")))
          << subject.subject << " " << region.at("name") << " " << map;
        medians[region.at("label")][map].push_back(Number(region.at(map + "_median")));
      }
    }
  }
  EXPECT_EQ(line, regions.size());

  // The group table: whole-brain measures, then per label the median of each map.
  const auto group = ReadTable(File("group/group_regions.tsv"));
  ASSERT_EQ(group.size(), 4u + 3u * 3u);
  const auto expect = [](const std::map<std::string, std::string> & row, const std::vector<double> & values) {
    double sum = 0;
    for (double v : values)
      sum += v;
    const double mean = sum / double(values.size());
    double       squares = 0;
    for (double v : values)
      squares += (v - mean) * (v - mean);
    EXPECT_EQ(row.at("n"), std::to_string(values.size())) << row.at("measure");
    EXPECT_DOUBLE_EQ(Number(row.at("mean")), mean) << row.at("measure");
    if (values.size() >= 2)
    {
      EXPECT_DOUBLE_EQ(Number(row.at("sd")), std::sqrt(squares / double(values.size() - 1))) << row.at("measure");
    }
    else
    {
      EXPECT_EQ(row.at("sd"), "n/a") << row.at("measure");
    }
  };
  std::vector<double> meanKL, medianKL, globalMSE, spatialKL;
  for (const auto & row : table)
  {
    meanKL.push_back(Number(row.at("meanKL")));
    medianKL.push_back(Number(row.at("medianKL")));
    if (row.at("globalMSE") != "n/a")
      globalMSE.push_back(Number(row.at("globalMSE")));
    if (row.at("spatialKL") != "n/a")
      spatialKL.push_back(Number(row.at("spatialKL")));
  }
  const std::pair<const char *, std::vector<double> *> wholeBrain[] = {
    { "meanKL", &meanKL }, { "medianKL", &medianKL }, { "globalMSE", &globalMSE }, { "spatialKL", &spatialKL }
  };
  for (std::size_t i = 0; i < 4; ++i)
  {
    EXPECT_EQ(group[i].at("model"), "demo");
    EXPECT_EQ(group[i].at("label"), "n/a");
    EXPECT_EQ(group[i].at("name"), "whole brain");
    EXPECT_EQ(group[i].at("measure"), wholeBrain[i].first);
    expect(group[i], *wholeBrain[i].second);
  }
  std::size_t g = 4;
  for (const std::string label : { "1", "2", "3" })
  {
    for (const std::string map : { "kl", "mse", "correlation" })
    {
      const auto & row = group[g++];
      EXPECT_EQ(row.at("label"), label);
      EXPECT_EQ(row.at("name"), names.at(label));
      EXPECT_EQ(row.at("measure"), map + "_median");
      expect(row, medians[label][map]);
    }
  }
  EXPECT_EQ(medians["1"]["kl"].size(), 3u);
  EXPECT_EQ(medians["1"]["mse"].size(), 2u) << "subject 03 has no mse map";
}

TEST_F(CohortRun, BidsNamedSummariesGiveTheTablesOfTheIndex)
{
  fs::create_directories(File("bids"));
  const auto index = RunProgram(VOXELKL_COHORT_EXECUTABLE,
                                { "--index",
                                  File("cohort_index.tsv"),
                                  "--table",
                                  File("bids/index.tsv"),
                                  "--regionTable",
                                  File("bids/index_regions.tsv"),
                                  "--groupTable",
                                  File("bids/index_group.tsv") });
  ASSERT_EQ(index.exitCode, 0) << index.err;
  // The summaries alone (their "regions" hold the region tables), spatial one first.
  std::vector<std::string> arguments{ "--summary", File(CohortSubjects()[0].Spatial()) };
  for (const CohortSubject & subject : CohortSubjects())
  {
    arguments.insert(arguments.end(), { "--summary", File(subject.Summary()) });
  }
  arguments.insert(arguments.end(),
                   { "--table",
                     File("bids/summaries.tsv"),
                     "--regionTable",
                     File("bids/summaries_regions.tsv"),
                     "--groupTable",
                     File("bids/summaries_group.tsv") });
  const auto summaries = RunProgram(VOXELKL_COHORT_EXECUTABLE, arguments);
  ASSERT_EQ(summaries.exitCode, 0) << summaries.err;
  EXPECT_EQ(ReadText(File("bids/summaries.tsv")), ReadText(File("bids/index.tsv")));
  EXPECT_EQ(ReadText(File("bids/summaries_regions.tsv")), ReadText(File("bids/index_regions.tsv")));
  EXPECT_EQ(ReadText(File("bids/summaries_group.tsv")), ReadText(File("bids/index_group.tsv")));
  EXPECT_EQ(ReadText(File("bids/summaries.schema.tsv")), ReadText(File("bids/index.schema.tsv")));
}

TEST_F(CohortRun, TheSchemasTypeEveryColumn)
{
  fs::create_directories(File("schema"));
  const auto result = RunProgram(VOXELKL_COHORT_EXECUTABLE,
                                 { "--index",
                                   File("cohort_index.tsv"),
                                   "--table",
                                   File("schema/cohort.tsv"),
                                   "--regionTable",
                                   File("schema/regions.tsv"),
                                   "--groupTable",
                                   File("schema/group.tsv") });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  for (const std::string table : { "cohort", "regions", "group" })
  {
    const auto header =
      ReadText(File("schema/" + table + ".tsv")).substr(0, ReadText(File("schema/" + table + ".tsv")).find('\n'));
    const auto  schema = ReadTable(File("schema/" + table + ".schema.tsv"));
    std::string columns;
    for (const auto & row : schema)
    {
      columns += (columns.empty() ? "" : "\t") + row.at("columnName");
      EXPECT_TRUE(row.at("type") == "string" || row.at("type") == "int" || row.at("type") == "double")
        << row.at("type");
      EXPECT_EQ(row.at("nullValue"), row.at("type") == "double" ? "nan" : "") << row.at("columnName");
    }
    EXPECT_EQ(columns, header) << table;
  }
}

} // namespace
