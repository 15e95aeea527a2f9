// A cohort of hand-written summaries and region tables with chosen numbers: the cohort
// table, the region long table and the group statistics against values computed here (the
// group's mean and sample sd by a loop of their own), and every cohort the checks refuse.
#include "voxelkl/Cohort.h"
#include "CohortTestSupport.h"
#include "voxelkl/CohortTables.h"
#include "voxelkl/Errors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace
{
using namespace voxelkl;
using namespace voxelkl::test;

// One subject of one model, as written to disk.
struct Subject
{
  std::string              subject, model;
  double                   mean, median;
  std::size_t              valid;
  std::optional<double>    globalMSE;
  std::optional<double>    spatialKL;
  std::vector<std::string> maps; // of its region table; empty: none
  std::vector<TestRegion>  regions;
  bool                     regionsInSummary{ false }; // in the summary's "regions", not a file
};

const std::vector<Subject> &
Subjects()
{
  static const std::vector<Subject> subjects{
    { "01",
      "mse",
      0.61,
      0.42,
      900,
      2.5,
      0.031,
      { "kl", "mse" },
      { { 1, "Precentral_L", 40, { { 40, 0.5 }, { 40, 2.0 } } },
        { 2, "Insula_R", 30, { { 30, 0.7 }, { 30, 2.5 } } },
        { 5, "Cerebellum_3", 10, { { 10, 1.25 }, { 10, 3.0 } } } } },
    { "02",
      "mse",
      0.73,
      0.55,
      880,
      2.75,
      0.029,
      { "kl", "mse" },
      { { 1, "Precentral_L", 40, { { 39, 0.55 }, { 39, 2.25 } } },
        { 2, "Insula_R", 30, { { 30, 0.65 }, { 30, 2.0 } } },
        { 5, "Cerebellum_3", 0, { { 0, 0.0 }, { 0, 0.0 } } } } },
    { "03",
      "mse",
      0.58,
      0.4,
      910,
      std::nullopt,
      std::nullopt,
      { "kl" },
      { { 1, "Precentral_L", 40, { { 40, 0.45 } } },
        { 2, "Insula_R", 30, { { 28, 0.8 } } },
        { 5, "Cerebellum_3", 10, { { 10, 1.5 } } } } },
    { "01",
      "mseKL",
      0.21,
      0.12,
      900,
      2.9,
      std::nullopt,
      { "kl", "mse" },
      { { 1, "Precentral_L", 40, { { 38, 0.2 }, { 38, 2.1 } } },
        { 2, "Insula_R", 30, { { 30, 0.3 }, { 30, 2.6 } } },
        { 5, "Cerebellum_3", 10, { { 10, 0.4 }, { 10, 3.1 } } } },
      true },
    { "02", "mseKL", 0.0, 0.0, 0, 3.0, std::nullopt, {}, {} },
  };
  return subjects;
}

// Writes every subject's files and the index naming them (relative paths).
std::string
WriteCohort(const Scratch & scratch)
{
  std::filesystem::create_directories(scratch / "derivatives");
  std::string index = "subject\tmodel\tsummary\tregionTable\tspatialSummary\n";
  for (const Subject & s : Subjects())
  {
    const std::string stem = "sub-" + s.subject + "_model-" + s.model;
    auto              document = KLSummaryDocument(s.mean, s.median, s.valid, s.globalMSE);
    std::string       regionFile;
    if (!s.maps.empty() && s.regionsInSummary)
    {
      document["regions"] = RegionJson(s.maps, s.regions);
    }
    else if (!s.maps.empty())
    {
      regionFile = "derivatives/" + stem + "_regions.tsv";
      WriteText(scratch / regionFile, RegionTableText(s.maps, s.regions));
    }
    WriteText(scratch / ("derivatives/" + stem + "_kl.json"), document.dump(2));
    std::string spatialFile;
    if (s.spatialKL)
    {
      spatialFile = "derivatives/" + stem + "_desc-spatial_kl.json";
      WriteText(scratch / spatialFile, SpatialSummaryDocument(*s.spatialKL).dump(2));
    }
    index +=
      s.subject + "\t" + s.model + "\tderivatives/" + stem + "_kl.json\t" + regionFile + "\t" + spatialFile + "\n";
  }
  WriteText(scratch / "cohort_index.tsv", index);
  return scratch / "cohort_index.tsv";
}

// A cell holds value (the same double) or n/a.
void
ExpectCell(const std::string & cell, const std::optional<double> & value, const std::string & context)
{
  if (value)
  {
    EXPECT_EQ(std::stod(cell), *value) << context;
  }
  else
  {
    EXPECT_EQ(cell, "n/a") << context;
  }
}

TEST(CohortTable, OneRowPerSubjectAndModelWithTheSummariesNumbers)
{
  Scratch      scratch("table");
  const Cohort cohort = LoadCohort(ReadCohortIndex(WriteCohort(scratch)));
  const auto   cells = Cells(FormatCohortTable(cohort));
  ASSERT_EQ(cells.size(), 1 + Subjects().size());
  const std::vector<std::string> header{
    "subject",  "model",     "estimator", "direction",        "validVoxels",        "meanKL",
    "medianKL", "globalMSE", "spatialKL", "spatialDirection", "spatialStandardize", "spatialTemperature"
  };
  EXPECT_EQ(cells[0], header);
  for (std::size_t r = 0; r < Subjects().size(); ++r)
  {
    const Subject & s = Subjects()[r];
    const auto &    row = cells[r + 1];
    ASSERT_EQ(row.size(), header.size());
    EXPECT_EQ(row[0], s.subject);
    EXPECT_EQ(row[1], s.model);
    EXPECT_EQ(row[2], "gaussian");
    EXPECT_EQ(row[3], "forward");
    EXPECT_EQ(row[4], std::to_string(s.valid));
    if (s.valid == 0)
    {
      EXPECT_EQ(row[5], "n/a") << "no valid voxel, no mean";
      EXPECT_EQ(row[6], "n/a");
    }
    else
    {
      // The same doubles as in the summaries.
      EXPECT_EQ(std::stod(row[5]), s.mean);
      EXPECT_EQ(std::stod(row[6]), s.median);
    }
    ExpectCell(row[7], s.globalMSE, "globalMSE of " + s.subject);
    ExpectCell(row[8], s.spatialKL, "spatialKL of " + s.subject);
    EXPECT_EQ(row[9], s.spatialKL ? "reverse" : "n/a");
    EXPECT_EQ(row[10], s.spatialKL ? "volume" : "n/a");
    EXPECT_EQ(row[11], s.spatialKL ? "1" : "n/a");
  }
  const std::string schema = FormatTableSchema(CohortTableColumns());
  EXPECT_EQ(schema.rfind("columnName\ttype\tnullValue\tdescription\nsubject\tstring\t\t", 0), 0u) << schema;
  EXPECT_NE(schema.find("\nvalidVoxels\tint\t\t"), std::string::npos);
  EXPECT_NE(schema.find("\nmeanKL\tdouble\tnan\t"), std::string::npos);
  EXPECT_EQ(std::count(schema.begin(), schema.end(), '\n'), 1 + 12);
}

TEST(CohortTable, NoModelIsWrittenNotAvailable)
{
  Scratch scratch("no-model");
  WriteText(scratch / "a.json", KLSummaryDocument(0.5, 0.25, 10).dump());
  WriteText(scratch / "index.tsv", "subject\tsummary\nA\ta.json\n");
  const auto cells = Cells(FormatCohortTable(LoadCohort(ReadCohortIndex(scratch / "index.tsv"))));
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[1][0], "A");
  EXPECT_EQ(cells[1][1], "n/a");
}

TEST(CohortRegionTable, OneRowPerSubjectModelAndRegion)
{
  Scratch      scratch("regions");
  const Cohort cohort = LoadCohort(ReadCohortIndex(WriteCohort(scratch)));
  EXPECT_TRUE(HasRegions(cohort));
  EXPECT_EQ(CohortRegionMaps(cohort), (std::vector<std::string>{ "kl", "mse" }));
  const auto cells = Cells(FormatCohortRegionTable(cohort));
  EXPECT_EQ(cells[0],
            (std::vector<std::string>{
              "subject", "model", "label", "name", "voxels", "kl_count", "kl_median", "mse_count", "mse_median" }));
  std::size_t line = 1;
  for (const Subject & s : Subjects())
  {
    for (const TestRegion & region : s.regions)
    {
      ASSERT_LT(line, cells.size());
      const auto & row = cells[line++];
      ASSERT_EQ(row.size(), 9u);
      EXPECT_EQ(row[0], s.subject);
      EXPECT_EQ(row[1], s.model);
      EXPECT_EQ(row[2], std::to_string(region.label));
      EXPECT_EQ(row[3], region.name);
      EXPECT_EQ(row[4], std::to_string(region.voxels));
      for (std::size_t m = 0; m < 2; ++m)
      {
        if (m >= s.maps.size())
        {
          EXPECT_EQ(row[5 + 2 * m], "n/a") << "the table has no " << m << "th map";
          EXPECT_EQ(row[6 + 2 * m], "n/a");
          continue;
        }
        const auto [count, median] = region.maps[m];
        EXPECT_EQ(row[5 + 2 * m], std::to_string(count));
        if (count == 0)
        {
          EXPECT_EQ(row[6 + 2 * m], "n/a");
        }
        else
        {
          EXPECT_EQ(std::stod(row[6 + 2 * m]), median) << s.subject << " " << s.model << " " << region.name;
        }
      }
    }
  }
  EXPECT_EQ(line, cells.size()) << "one row per region of every subject with regions, no more";
  const std::string schema = FormatTableSchema(CohortRegionColumns(cohort));
  EXPECT_NE(schema.find("\nkl_median\tdouble\tnan\t"), std::string::npos) << schema;
  EXPECT_NE(schema.find("\nmse_count\tint\t\t"), std::string::npos) << schema;
}

// Mean and sample sd by a loop of their own.
struct Expected
{
  std::size_t n{ 0 };
  double      mean{ 0 }, sd{ 0 };
};
Expected
MeanAndSampleSd(const std::vector<double> & values)
{
  Expected e;
  e.n = values.size();
  double sum = 0;
  for (std::size_t i = 0; i < values.size(); ++i)
    sum += values[i];
  e.mean = values.empty() ? 0 : sum / double(values.size());
  double squares = 0;
  for (std::size_t i = 0; i < values.size(); ++i)
    squares += (values[i] - e.mean) * (values[i] - e.mean);
  e.sd = values.size() < 2 ? 0 : std::sqrt(squares / double(values.size() - 1));
  return e;
}

void
ExpectGroup(const GroupStatistic & statistic, const std::vector<double> & values, const std::string & context)
{
  const Expected e = MeanAndSampleSd(values);
  EXPECT_EQ(statistic.n, e.n) << context;
  EXPECT_EQ(statistic.mean.has_value(), e.n >= 1) << context;
  EXPECT_EQ(statistic.sd.has_value(), e.n >= 2) << context;
  if (statistic.mean)
  {
    EXPECT_DOUBLE_EQ(*statistic.mean, e.mean) << context;
  }
  if (statistic.sd)
  {
    EXPECT_DOUBLE_EQ(*statistic.sd, e.sd) << context;
  }
}

TEST(CohortGroupTable, MeanAndSampleSdOverTheSubjectsOfEachModel)
{
  Scratch      scratch("group");
  const Cohort cohort = LoadCohort(ReadCohortIndex(WriteCohort(scratch)));
  const auto   statistics = ComputeGroupStatistics(cohort);
  // mse: 4 whole-brain measures + 3 labels x 2 maps; mseKL: 4 + 3 x 2.
  ASSERT_EQ(statistics.size(), 2u * (4 + 3 * 2));
  std::size_t s = 0;
  for (const std::string model : { "mse", "mseKL" })
  {
    std::map<std::string, std::vector<double>> wholeBrain;
    for (const Subject & subject : Subjects())
    {
      if (subject.model != model)
        continue;
      if (subject.valid > 0)
      {
        wholeBrain["meanKL"].push_back(subject.mean);
        wholeBrain["medianKL"].push_back(subject.median);
      }
      if (subject.globalMSE)
        wholeBrain["globalMSE"].push_back(*subject.globalMSE);
      if (subject.spatialKL)
        wholeBrain["spatialKL"].push_back(*subject.spatialKL);
    }
    for (const std::string measure : { "meanKL", "medianKL", "globalMSE", "spatialKL" })
    {
      const GroupStatistic & statistic = statistics[s++];
      EXPECT_EQ(statistic.model, model);
      EXPECT_FALSE(statistic.label);
      EXPECT_EQ(statistic.name, "whole brain");
      EXPECT_EQ(statistic.measure, measure);
      ExpectGroup(statistic, wholeBrain[measure], model + " " + measure);
    }
    for (const int label : { 1, 2, 5 })
    {
      for (std::size_t m = 0; m < 2; ++m)
      {
        std::vector<double> medians;
        std::string         name;
        for (const Subject & subject : Subjects())
        {
          for (const TestRegion & region : subject.regions)
          {
            if (subject.model == model && region.label == label && m < subject.maps.size() && region.maps[m].first > 0)
              medians.push_back(region.maps[m].second);
            if (region.label == label)
              name = region.name;
          }
        }
        const GroupStatistic & statistic = statistics[s++];
        EXPECT_EQ(statistic.model, model);
        EXPECT_EQ(statistic.label, label);
        EXPECT_EQ(statistic.name, name);
        EXPECT_EQ(statistic.measure, m == 0 ? "kl_median" : "mse_median");
        ExpectGroup(statistic, medians, model + " " + statistic.measure + " " + name);
      }
    }
  }
  // The data exercise every case: n = 3, 2, 1 and 0 (spatialKL of mseKL) somewhere.
  std::set<std::size_t> ns;
  for (const auto & statistic : statistics)
    ns.insert(statistic.n);
  EXPECT_EQ(ns, (std::set<std::size_t>{ 0, 1, 2, 3 }));

  // As text: n/a for the missing mean and sd, numbers that read back to the same doubles.
  const auto cells = Cells(FormatGroupTable(statistics));
  ASSERT_EQ(cells.size(), 1 + statistics.size());
  EXPECT_EQ(cells[0], (std::vector<std::string>{ "model", "label", "name", "measure", "n", "mean", "sd" }));
  for (std::size_t i = 0; i < statistics.size(); ++i)
  {
    const auto & row = cells[i + 1];
    const auto & statistic = statistics[i];
    EXPECT_EQ(row[1], statistic.label ? std::to_string(*statistic.label) : "n/a");
    EXPECT_EQ(row[4], std::to_string(statistic.n));
    EXPECT_EQ(row[5] == "n/a", !statistic.mean);
    EXPECT_EQ(row[6] == "n/a", !statistic.sd);
    if (statistic.mean)
    {
      EXPECT_EQ(std::stod(row[5]), *statistic.mean);
    }
    if (statistic.sd)
    {
      EXPECT_EQ(std::stod(row[6]), *statistic.sd);
    }
  }
}

// Rewrites the cohort's index with one cell replaced.
void
EditIndex(const std::string & index, const std::string & from, const std::string & to)
{
  std::ifstream      in(index);
  std::ostringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  const auto  at = content.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  content.replace(at, from.size(), to);
  WriteText(index, content);
}

TEST(CohortChecks, SummariesComputedDifferentlyInOneModelAreRefused)
{
  Scratch           scratch("mixing");
  const std::string index = WriteCohort(scratch);
  const std::string knn = scratch / "derivatives/sub-02_model-mse_kl.json";
  WriteText(knn, KLSummaryDocument(0.7, 0.5, 880, 2.75, "knn").dump());
  ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); },
                   { "model mse mixes KL maps computed differently: options.estimator is \"knn\" in",
                     "sub-02_model-mse_kl.json but \"gaussian\" in",
                     "sub-01_model-mse_kl.json" });
  WriteText(knn, KLSummaryDocument(0.7, 0.5, 880, 2.75, "gaussian", "reverse").dump());
  ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); }, { "options.direction is \"reverse\" in" });
  auto demean = KLSummaryDocument(0.7, 0.5, 880, 2.75);
  demean["options"]["runs"] = "demean";
  WriteText(knn, demean.dump());
  ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); }, { "options.runs is \"demean\" in" });
  // Across models it is allowed.
  WriteText(scratch / "derivatives/sub-01_model-mseKL_kl.json", KLSummaryDocument(0.2, 0.1, 900, 2.9, "knn").dump());
  WriteText(scratch / "derivatives/sub-02_model-mseKL_kl.json", KLSummaryDocument(0.2, 0.1, 900, 2.9, "knn").dump());
  WriteText(knn, KLSummaryDocument(0.7, 0.5, 880, 2.75).dump());
  EXPECT_NO_THROW(LoadCohort(ReadCohortIndex(index)));

  WriteText(scratch / "derivatives/sub-02_model-mse_desc-spatial_kl.json", SpatialSummaryDocument(0.5, "voxel").dump());
  ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); },
                   { "model mse mixes spatial KL computed differently: options.standardize is \"voxel\" in" });
}

TEST(CohortChecks, DuplicatesSharedFilesAndHalfNamedModelsAreRefused)
{
  {
    Scratch           scratch("shared");
    const std::string index = WriteCohort(scratch);
    EditIndex(index, "derivatives/sub-02_model-mse_kl.json", "./derivatives/sub-01_model-mse_kl.json");
    ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); },
                     { "sub-01_model-mse_kl.json: is given for subject 01, model mse (",
                       "cohort_index.tsv:2) and for subject 02, model mse (",
                       "cohort_index.tsv:3)" });
  }
  {
    Scratch           scratch("half-named");
    const std::string index = WriteCohort(scratch);
    EditIndex(index, "03\tmse\t", "03\t\t");
    ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); },
                     { "cohort_index.tsv:2 names model mse but", "cohort_index.tsv:4 names no model" });
  }
  {
    Scratch           scratch("atlases");
    const std::string index = WriteCohort(scratch);
    auto              regions = Subjects()[1].regions;
    regions[1].name = "Frontal_Sup_L";
    WriteText(scratch / "derivatives/sub-02_model-mse_regions.tsv", RegionTableText({ "kl", "mse" }, regions));
    ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); },
                     { "label 2 is 'Insula_R' in",
                       "sub-01_model-mse_regions.tsv but 'Frontal_Sup_L' in",
                       "sub-02_model-mse_regions.tsv: regions of different atlases cannot be pooled in model mse" });
  }
  {
    // Duplicates are refused by LoadCohort too, whatever made the entries.
    CohortEntry entry{ "01", "a", "x.json", "", "", "here" };
    Scratch     scratch("duplicate");
    WriteText(scratch / "x.json", KLSummaryDocument(0.1, 0.1, 1).dump());
    WriteText(scratch / "y.json", KLSummaryDocument(0.1, 0.1, 1).dump());
    entry.summary = scratch / "x.json";
    CohortEntry again = entry;
    again.summary = scratch / "y.json";
    again.origin = "there";
    ExpectInputError(
      [&] {
        LoadCohort({ entry, again });
      },
      { "there: subject 01, model a is given twice (also by here)" });
  }
}

TEST(CohortChecks, BadFilesAreNamed)
{
  Scratch           scratch("bad-files");
  const std::string index = WriteCohort(scratch);
  const std::string table = scratch / "derivatives/sub-03_model-mse_regions.tsv";
  WriteText(table, "label\tname\tcount\n1\ta\t3\n");
  ExpectInputError(
    [&] { LoadCohort(ReadCohortIndex(index)); },
    { table + ": not a VoxelKL region table: the header starts 'label'", "expected 'label name voxels'" });
  WriteText(table, RegionTableText({ "value" }, { { 1, "Precentral_L", 4, { { 4, 0.5 } } } }));
  ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); }, { table + ": has no kl map" });
  std::filesystem::remove(table);
  ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); }, { table + ": no such file" });
  const std::string summary = scratch / "derivatives/sub-02_model-mse_kl.json";
  auto              document = KLSummaryDocument(0.7, 0.5, 880, 2.75);
  document["kl"].erase("median");
  WriteText(summary, document.dump());
  ExpectInputError([&] { LoadCohort(ReadCohortIndex(index)); }, { summary + ": no field 'kl.median'" });
}

TEST(CohortFromSummaries, SubjectAndModelFromTheFileNames)
{
  Scratch scratch("bids");
  for (const std::string subject : { "01", "02" })
  {
    auto document = KLSummaryDocument(subject == "01" ? 0.5 : 0.75, 0.25, 100, 1.5);
    document["regions"] = RegionJson({ "kl" }, { { 3, "Hippocampus_L", 12, { { 12, subject == "01" ? 0.5 : 1.0 } } } });
    WriteText(scratch / ("sub-" + subject + "_task-rest_model-mse_kl.json"), document.dump());
  }
  WriteText(scratch / "sub-02_model-mse_desc-spatial_kl.json", SpatialSummaryDocument(0.0625).dump());
  const Cohort cohort = LoadCohortFromSummaries({ scratch / "sub-01_task-rest_model-mse_kl.json",
                                                  scratch / "sub-02_model-mse_desc-spatial_kl.json",
                                                  scratch / "sub-02_task-rest_model-mse_kl.json" });
  ASSERT_EQ(cohort.rows.size(), 2u);
  EXPECT_EQ(cohort.rows[0].subject, "01");
  EXPECT_EQ(cohort.rows[0].model, "mse");
  EXPECT_EQ(cohort.rows[0].kl.meanKL, 0.5);
  EXPECT_FALSE(cohort.rows[0].spatial);
  EXPECT_EQ(cohort.rows[1].subject, "02");
  ASSERT_TRUE(cohort.rows[1].spatial) << "the spatial summary joins the row of its subject and model";
  EXPECT_EQ(cohort.rows[1].spatial->spatialKL, 0.0625);
  ASSERT_TRUE(cohort.rows[1].regions) << "the regions of the summary";
  EXPECT_EQ(cohort.rows[1].regions->rows[0].maps[0].median, 1.0);
  const auto group = ComputeGroupStatistics(cohort);
  ASSERT_EQ(group.size(), 5u);
  EXPECT_EQ(group[4].measure, "kl_median");
  ExpectGroup(group[4], { 0.5, 1.0 }, "Hippocampus_L");

  // desc- when there is no model-.
  WriteText(scratch / "sub-03_desc-baseline.json", KLSummaryDocument(0.5, 0.25, 100).dump());
  EXPECT_EQ(LoadCohortFromSummaries({ scratch / "sub-03_desc-baseline.json" }).rows[0].model, "baseline");
}

TEST(CohortFromSummaries, NamesThatDoNotSayWhoAreRefused)
{
  Scratch    scratch("bids-errors");
  const auto write = [&](const std::string & name, const nlohmann::json & document) {
    WriteText(scratch / name, document.dump());
    return scratch / name;
  };
  const auto kl = KLSummaryDocument(0.5, 0.25, 100);
  const auto noSubject = write("model-a_kl.json", kl);
  ExpectInputError([&] { LoadCohortFromSummaries({ noSubject }); }, { noSubject + ": no sub-<label> entity" });
  const auto badLabel = write("sub-0-1_kl.json", kl);
  ExpectInputError([&] { LoadCohortFromSummaries({ badLabel }); },
                   { badLabel + ": the label of 'sub-0-1' in the file name is not letters and digits (BIDS)" });
  const auto session1 = write("sub-01_ses-1_model-a_kl.json", kl);
  const auto session2 = write("sub-01_ses-2_model-a_kl.json", kl);
  ExpectInputError(
    [&] {
      LoadCohortFromSummaries({ session1, session2 });
    },
    { session1 + " and " + session2 + " are both the VoxelKLDivergence summary of subject 01, model a",
      "give an --index" });
  const auto noModel = write("sub-02_kl.json", kl);
  ExpectInputError(
    [&] {
      LoadCohortFromSummaries({ session1, noModel });
    },
    { session1 + " names model a but " + noModel + " names no model" });
  const auto spatial = write("sub-04_model-a_spatial.json", SpatialSummaryDocument(0.1));
  ExpectInputError(
    [&] {
      LoadCohortFromSummaries({ session1, spatial });
    },
    { spatial + ": the SpatialKLDivergence summary of subject 04, model a, which has no "
                "VoxelKLDivergence summary" });
  const auto other = write("sub-05_model-a_kl.json", { { "maps", { "kl" } } });
  ExpectInputError([&] { LoadCohortFromSummaries({ other }); }, { other + ": not a VoxelKL summary" });
}

} // namespace
