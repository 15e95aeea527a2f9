// VoxelKLCohort: many comparisons, one table. Gathers the summaries and region tables of
// VoxelKLDivergence (and SpatialKLDivergence) over subjects and models into a cohort table,
// a per-region long table and group statistics per model and region.
#include "voxelkl/Cohort.h"
#include "voxelkl/CohortTables.h"
#include "voxelkl/Errors.h"
#include "voxelkl/HtmlReport.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ReportOption.h"
#include "voxelkl/RunCommand.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <optional>
#include <set>

namespace
{
using voxelkl::Parameter;

voxelkl::CommandDescription
Describe()
{
  voxelkl::CommandDescription d = voxelkl::MakeCommandDescription(
    "VoxelKLCohort",
    "Cohort table of KL summaries",
    "gather the KL summaries and region tables of many subjects and models into one table, a region table and "
    "group statistics");
  d.description = {
    "Reads one VoxelKLDivergence --summary per subject (and model), with its --regionTable and a SpatialKLDivergence "
    "--summary when there are, and writes one row per (subject, model): the estimator and direction, validVoxels, "
    "meanKL and medianKL over the valid voxels, globalMSE (written by VoxelKLDivergence with --mse) and spatialKL "
    "(the mean over volumes of SpatialKLDivergence, MindAligner's loss term) with its direction, standardization "
    "and temperature.",
    "The cohort comes from --index, a tab-separated file whose header row names its columns (in any order): subject "
    "and summary (required), model, regionTable and spatialSummary (optional; an empty cell means none, a model "
    "cell n/a too). Relative paths are relative to the index's directory. Or, without an index, from --summary "
    "files named the BIDS way: the subject is the label of sub-<label> (without 'sub-'), the model that of "
    "model-<label>, else of desc-<label>, else none; labels are letters and digits. A file's 'tool' field tells a "
    "VoxelKLDivergence summary from a SpatialKLDivergence one; each (subject, model) needs one of the first and may "
    "have one of the second.",
    "Region statistics of a row come from its regionTable file when the index gives one, else from the 'regions' of "
    "its summary (VoxelKLDivergence writes them there too when run with --regionTable), else it has none. "
    "--regionTable writes one row per (subject, model, region): label, name, voxels, and the count and median of "
    "every map of the tables (kl, and mse, correlation, ... when computed). --groupTable writes per model: the "
    "whole-brain measures meanKL, medianKL, globalMSE and spatialKL (label n/a, name 'whole brain'), then per "
    "region the kl_median (and other map medians) over the subjects: n (the subjects with a value), mean and "
    "sample standard deviation (divide by n - 1).",
    "Conventions: n/a (as BIDS) where a value does not exist: no model named, no paired maps (globalMSE), no spatial "
    "summary, no valid voxel, a region without a value, a group of fewer than 2 subjects (sd) or none (mean). Numbers "
    "are written in the shortest form that reads back to the same double, as in the region tables; beside each "
    "table goes a 3D Slicer schema (T.schema.tsv). Rows are in the order given, regions by label, models in order of "
    "first appearance.",
    "Refused, with one line naming the file(s) and the problem and no output written: a missing or unreadable "
    "file, a summary that is not VoxelKL's JSON or lacks a field, a region table with another header, a (subject, "
    "model) twice, one file for two rows, some rows with a model and some without, and within a model summaries "
    "computed differently (estimator, direction, runs, variance floor, estimator options; for spatial KL direction, "
    "standardization, temperature) or atlases that name a label differently.",
  };
  d.examples = {
    { "The cohort of an index, with the region long table and the group statistics",
      "VoxelKLCohort --index cohort_index.tsv --table cohort.tsv --regionTable cohort_regions.tsv --groupTable "
      "group_regions.tsv" },
    { "Without an index: BIDS-named summaries of two models (the spatial KL summary joins its row)",
      "VoxelKLCohort --summary sub-01_model-mse_kl.json --summary sub-02_model-mse_kl.json --summary "
      "sub-01_model-mseKL_kl.json --summary sub-02_model-mseKL_kl.json --summary sub-01_model-mse_desc-spatial_kl.json "
      "--table cohort.tsv" },
  };
  d.AddGroup("Inputs", "The cohort: an index, or summaries named the BIDS way")
    .Add(Parameter::InputFile("index",
                              "Cohort index",
                              "Tab-separated, a header row naming the columns subject, summary (required), model, "
                              "regionTable, spatialSummary (optional); one row per subject and model. Relative paths "
                              "are relative to the index's directory.",
                              { ".tsv" }))
    .Add(Parameter::InputFile("summary",
                              "Summary",
                              "Instead of --index, repeated: VoxelKLDivergence (and SpatialKLDivergence) JSON "
                              "summaries named sub-<label>[_model-<label>]..., or desc-<label> for the model.",
                              { ".json" })
           .Multiple());
  d.AddGroup("Outputs", "The tables (tab-separated, each with a .schema.tsv for 3D Slicer)")
    .Add(Parameter::OutputTable("table",
                                "Cohort table",
                                "One row per (subject, model): subject, model, estimator, direction, validVoxels, "
                                "meanKL, medianKL, globalMSE, spatialKL, spatialDirection, spatialStandardize, "
                                "spatialTemperature.")
           .Required())
    .Add(Parameter::OutputTable("regionTable",
                                "Region table",
                                "One row per (subject, model, region): subject, model, label, name, voxels, then "
                                "<map>_count and <map>_median for each map (kl first)."))
    .Add(Parameter::OutputTable("groupTable",
                                "Group statistics",
                                "Per (model, region) and for the whole-brain measures: model, label, name, measure, "
                                "n, mean, sd (sample, n - 1) over the subjects."));
  voxelkl::AddReportOption(d.groups.back(), "the cohort table with one row per subject (a chart of meanKL by model)");
  return d;
}

// An output table and its Slicer schema, staged together.
struct TableOutput
{
  std::string path;
  std::string schema;
};

std::optional<TableOutput>
StageTable(voxelkl::OutputTransaction & outputs, const voxelkl::ParsedArguments & args, const std::string & option)
{
  const auto path = args.GetOptionalString(option);
  if (!path)
  {
    return std::nullopt;
  }
  TableOutput table{ *path, voxelkl::TableSchemaPath(*path) };
  outputs.Stage(table.path, "--" + option);
  outputs.Stage(table.schema, "--" + option + "'s schema");
  return table;
}

int
Run(const voxelkl::ParsedArguments & args)
{
  const auto index = args.GetOptionalString("index");
  const auto summaries = args.GetStrings("summary");
  if (index && !summaries.empty())
  {
    throw voxelkl::UsageError("give --index or --summary files, not both");
  }
  if (!index && summaries.empty())
  {
    throw voxelkl::UsageError("no cohort: give --index (a cohort index) or --summary files");
  }

  // Inputs first: an output that would replace one is refused before any work.
  voxelkl::OutputTransaction outputs;
  if (index)
  {
    outputs.ProtectInput(*index, "--index");
  }
  else
  {
    outputs.ProtectInputs(summaries, "--summary");
  }
  const auto                        table = StageTable(outputs, args, "table");
  const auto                        regionTable = StageTable(outputs, args, "regionTable");
  const auto                        groupTable = StageTable(outputs, args, "groupTable");
  const auto                        report = voxelkl::StageReport(args, outputs);
  std::vector<voxelkl::CohortEntry> entries;
  if (index)
  {
    // The files the index names are inputs too.
    entries = voxelkl::ReadCohortIndex(*index);
    for (const auto & entry : entries)
    {
      outputs.ProtectInput(entry.summary, "the summary of " + entry.origin);
      outputs.ProtectInput(entry.regionTable, "the regionTable of " + entry.origin);
      outputs.ProtectInput(entry.spatialSummary, "the spatialSummary of " + entry.origin);
    }
  }

  const voxelkl::Cohort cohort = index ? voxelkl::LoadCohort(entries) : voxelkl::LoadCohortFromSummaries(summaries);
  if (regionTable && !voxelkl::HasRegions(cohort))
  {
    throw voxelkl::InputError(fmt::format("--regionTable {}: no row has region statistics (a regionTable in the index, "
                                          "or a summary of VoxelKLDivergence run with --regionTable)",
                                          regionTable->path));
  }
  const std::string cohortTable = voxelkl::FormatCohortTable(cohort);
  outputs.Write(table->path, cohortTable);
  outputs.Write(table->schema, voxelkl::FormatTableSchema(voxelkl::CohortTableColumns()));
  if (regionTable)
  {
    outputs.Write(regionTable->path, voxelkl::FormatCohortRegionTable(cohort));
    outputs.Write(regionTable->schema, voxelkl::FormatTableSchema(voxelkl::CohortRegionColumns(cohort)));
  }
  std::vector<voxelkl::GroupStatistic> groups;
  if (groupTable)
  {
    groups = voxelkl::ComputeGroupStatistics(cohort);
    outputs.Write(groupTable->path, voxelkl::FormatGroupTable(groups));
    outputs.Write(groupTable->schema, voxelkl::FormatTableSchema(voxelkl::GroupTableColumns()));
  }
  if (report)
  {
    // The page shows the table as written: it is parsed back from its text.
    voxelkl::ReportContent content;
    content.tool = "VoxelKLCohort";
    content.title = "cohort of " + (index ? *index : std::to_string(summaries.size()) + " summaries");
    content.cohort = voxelkl::ParseTextTable(cohortTable, table->path);
    outputs.Write(*report, voxelkl::MakeHtmlReport(content));
  }
  outputs.Commit();

  std::set<std::string> subjects, models;
  for (const auto & row : cohort.rows)
  {
    subjects.insert(row.subject);
    models.insert(row.model);
  }
  std::cout << fmt::format("Cohort table: {} ({} rows: {} subjects, {} model{})\n",
                           table->path,
                           cohort.rows.size(),
                           subjects.size(),
                           models.size(),
                           models.size() == 1 ? "" : "s");
  if (regionTable)
  {
    std::cout << fmt::format(
      "Region table: {} (maps: {})\n", regionTable->path, fmt::join(voxelkl::CohortRegionMaps(cohort), ", "));
  }
  if (groupTable)
  {
    std::cout << fmt::format("Group table: {} ({} statistics)\n", groupTable->path, groups.size());
  }
  if (report)
  {
    std::cout << "Report: " << *report << '\n';
  }
  return 0;
}

} // namespace

int
main(int argc, char ** argv)
{
  return voxelkl::RunCommand(Describe(), argc, argv, Run);
}
