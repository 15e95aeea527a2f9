#include "voxelkl/KLMapOutputs.h"

#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/HtmlReport.h"
#include "voxelkl/MapWriter.h"
#include "voxelkl/RegionTableWriter.h"
#include "voxelkl/ReportOption.h"
#include "voxelkl/ReturnParameters.h"
#include "voxelkl/RunCommand.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

#include <iostream>
#include <limits>
#include <map>

namespace voxelkl
{
namespace
{
constexpr const char * FidelityOptions[] = { "mse", "correlation", "meanDifference", "varianceLogRatio" };
} // namespace

void
AddKLMapOutputOptions(CommandDescription & d, const std::string & stateHelp, bool outputRequired)
{
  Parameter output = Parameter::OutputImage("output", "KL map", "The KL map (float32; 0 outside the mask).");
  if (outputRequired)
  {
    output.Required();
  }
  d.AddGroup("Outputs", "Where the results go")
    .Add(output)
    .Add(Parameter::OutputFile("summary",
                               "Summary",
                               "A JSON summary: inputs, options, voxel counts and the "
                               "distribution of the KL over valid voxels.",
                               { ".json" }))
    .Add(Parameter::OutputFile("saveState", "State", stateHelp, { ".vkls" }));
  AddReportOption(d.groups.back(),
                  "mosaics of the KL map and every fidelity map over the reference's mean image, histograms and the "
                  "region chart (with --labels), and an interactive viewer");
  d.AddGroup("Fidelity maps", "Computed in the same single pass as the KL map")
    .Add(Parameter::OutputImage("mse",
                                "MSE map",
                                "Mean over time of (generated - reference)^2. Needs paired series (the same number "
                                "of volumes); time points where either value is not finite are left out of both."))
    .Add(Parameter::OutputImage("correlation",
                                "Correlation map",
                                "Pearson r over time between the paired series; where a series is constant r does not "
                                "exist and --undefinedCorrelation is written."))
    .Add(Parameter::OutputImage("meanDifference", "Mean difference map", "mean_generated - mean_reference."))
    .Add(Parameter::OutputImage("varianceLogRatio",
                                "Log variance ratio map",
                                "ln(var_generated / var_reference), the variances floored as for the KL (0 where "
                                "both are constant): below 0 where the generated signal is flattened."))
    .Add(Parameter::Enumeration("undefinedCorrelation",
                                "Undefined correlation",
                                "What the correlation map holds where a series is constant: zero (default) or nan.",
                                { "zero", "nan" },
                                "zero"));
}

void
AddKLMapReturnValues(CommandDescription & d)
{
  d.AddReturnValue(ReturnValue::Double("meanKL", "Mean KL", "Mean KL over valid voxels, in nats."))
    .AddReturnValue(ReturnValue::Double("medianKL", "Median KL", "Median KL over valid voxels, in nats."))
    .AddReturnValue(ReturnValue::Integer(
      "validVoxels", "Valid voxels", "Voxels with a KL estimate (both series non-constant, enough finite samples)."))
    .AddReturnValue(ReturnValue::Integer(
      "constantVoxels", "Constant voxels", "Voxels where both series are the same constant (KL 0)."));
}

KLMapOutputs::KLMapOutputs(const ParsedArguments & args, OutputTransaction & outputs)
{
  m_Fidelity.meanDifference = args.Has("meanDifference");
  m_Fidelity.varianceLogRatio = args.Has("varianceLogRatio");
  m_Fidelity.paired = args.Has("mse") || args.Has("correlation");
  m_Fidelity.undefinedCorrelation =
    args.GetString("undefinedCorrelation") == "nan" ? std::numeric_limits<double>::quiet_NaN() : 0.0;
  m_Output = args.GetString("output");
  RequireImageOutputName("output", m_Output);
  m_StagedOutput = outputs.Stage(m_Output, "--output");
  m_Summary = args.GetOptionalString("summary");
  if (m_Summary)
  {
    outputs.Stage(*m_Summary, "--summary");
  }
  m_State = args.GetOptionalString("saveState");
  if (m_State)
  {
    outputs.Stage(*m_State, "--saveState");
  }
  for (const char * option : FidelityOptions)
  {
    if (const auto path = args.GetOptionalString(option))
    {
      RequireImageOutputName(option, *path);
      m_FidelityFiles.emplace_back(option, outputs.Stage(*path, std::string("--") + option));
      m_FidelityNames.push_back(*path);
    }
  }
  m_Report = StageReport(args, outputs);
  m_Fidelity.referenceMean = m_Report.has_value();
  m_ReturnParameters = args.ReturnParameterFile();
  if (m_ReturnParameters)
  {
    outputs.Stage(*m_ReturnParameters, "--returnparameterfile");
  }
}

std::string
KLMapOutputs::MakeReport(const Result &                     result,
                         const nlohmann::json &             summary,
                         const std::vector<unsigned char> & valid,
                         const std::optional<RegionTable> & regions,
                         const std::string &                program) const
{
  const KLMaps & maps = *result.maps;
  ReportContent  content;
  content.tool = program;
  if (result.anatomy)
  {
    content.anatomy = result.anatomy;
    content.anatomySource = result.anatomySource;
  }
  else
  {
    content.anatomy = maps.referenceMean.GetPointer();
    content.anatomySource = "the reference's mean over time (from this run's accumulators)";
  }
  const std::string validMeaning = summary.value("klOver", std::string("the valid voxels of the run"));
  const std::string estimator = summary["options"].value("estimator", std::string("gaussian"));
  ReportMap         kl;
  kl.name = "kl";
  kl.kind = estimator == "knn" ? MapKind::KnnKL : estimator == "histogram" ? MapKind::HistogramKL : MapKind::KL;
  kl.source = "this run (--output " + m_Output + ")";
  kl.image = maps.divergence.GetPointer();
  kl.valid = valid;
  kl.validMeaning = validMeaning;
  content.maps.push_back(std::move(kl));
  for (const auto & [name, map] : FidelityMapsByName(maps))
  {
    ReportMap fidelity;
    fidelity.name = name;
    fidelity.kind = MapKindOf(name);
    fidelity.source = "this run (--" + name + ")";
    for (std::size_t i = 0; i < m_FidelityFiles.size(); ++i)
    {
      if (m_FidelityFiles[i].first == name)
      {
        fidelity.source = "this run (--" + name + " " + m_FidelityNames[i] + ")";
      }
    }
    fidelity.image = map.GetPointer();
    fidelity.valid = valid;
    fidelity.validMeaning = validMeaning;
    content.maps.push_back(std::move(fidelity));
  }
  if (result.mask != nullptr)
  {
    content.mask = *result.mask;
    const nlohmann::json & mask = summary["inputs"].value("mask", nlohmann::json(nullptr));
    content.maskSource = mask.is_string() ? mask.get<std::string>() : "the run's mask";
    if (content.mask.empty())
    {
      content.maskSource.clear();
    }
  }
  content.summary = summary;
  content.summarySource = m_Summary ? *m_Summary : "this run";
  if (regions)
  {
    content.regions = regions;
    content.regionsSource = result.regions->TablePath().empty() ? "this run" : result.regions->TablePath();
  }
  return MakeHtmlReport(content);
}

void
KLMapOutputs::Write(const Result & result, OutputTransaction & outputs, const std::string & program) const
{
  const KLMaps & maps = *result.maps;
  // The maps are independent files: compress and write them at the same time.
  struct MapOutput
  {
    MapPointer  map;
    std::string file, name;
  };
  std::vector<MapOutput>                  mapOutputs{ { maps.divergence, m_StagedOutput, m_Output } };
  const std::map<std::string, MapPointer> byOption{ { "mse", maps.meanSquaredError },
                                                    { "correlation", maps.correlation },
                                                    { "meanDifference", maps.meanDifference },
                                                    { "varianceLogRatio", maps.varianceLogRatio } };
  for (std::size_t i = 0; i < m_FidelityFiles.size(); ++i)
  {
    mapOutputs.push_back({ byOption.at(m_FidelityFiles[i].first), m_FidelityFiles[i].second, m_FidelityNames[i] });
  }
  // ... and summarise them (and save the state) meanwhile.
  KLMapStatistics statistics;
  tbb::task_arena(static_cast<int>(result.threads)).execute([&] {
    tbb::parallel_invoke(
      [&] {
        tbb::parallel_for(std::size_t{ 0 }, mapOutputs.size(), [&](std::size_t i) {
          WriteMap(mapOutputs[i].map, mapOutputs[i].file, mapOutputs[i].name, result.unorientedNifti);
        });
      },
      [&] {
        statistics = ComputeKLMapStatistics(maps);
        if (m_State)
        {
          WriteStateFile(outputs.Temporary(*m_State), *m_State, *result.stateHeader, *result.state);
        }
      });
  });
  nlohmann::json document = result.summarize(statistics);
  if (!result.warnings.empty())
  {
    document["warnings"] = result.warnings;
  }
  // The voxels every summary, table and report of the maps uses: the valid ones.
  std::vector<unsigned char> valid(maps.status->GetLargestPossibleRegion().GetNumberOfPixels());
  for (std::size_t v = 0; v < valid.size(); ++v)
  {
    valid[v] = maps.status->GetBufferPointer()[v] == static_cast<unsigned char>(VoxelStatus::Valid);
  }
  std::optional<RegionTable> regionTable;
  if (result.regions != nullptr && result.regions->Requested())
  {
    std::vector<RegionMap> regionMaps{ { "kl", maps.divergence.GetPointer(), valid } };
    for (const auto & [name, map] : FidelityMapsByName(maps))
    {
      regionMaps.push_back({ name, map.GetPointer(), valid });
    }
    regionTable = result.regions->Write(regionMaps, *result.mask);
    document["regions"] = ToJson(*regionTable);
  }
  if (m_Report)
  {
    std::string page;
    tbb::task_arena(static_cast<int>(result.threads)).execute([&] {
      page = MakeReport(result, document, valid, regionTable, program);
    });
    outputs.Write(*m_Report, page);
  }
  if (m_Summary)
  {
    outputs.Write(*m_Summary, document.dump(2) + '\n');
  }
  const std::vector<std::pair<std::string, std::string>> returnValues{
    { "meanKL", fmt::format("{}", statistics.kl.mean) },
    { "medianKL", fmt::format("{}", statistics.kl.median) },
    { "validVoxels", fmt::format("{}", statistics.valid) },
    { "constantVoxels", fmt::format("{}", statistics.constant) }
  };
  if (m_ReturnParameters)
  {
    outputs.Write(*m_ReturnParameters, FormatReturnParameters(returnValues));
  }
  outputs.Commit();

  for (const std::string & warning : result.warnings)
  {
    PrintWarning(warning);
  }
  std::cout << result.headline << ": " << m_Output << '\n';
  if (m_Summary)
  {
    std::cout << "Summary: " << *m_Summary << '\n';
  }
  if (result.regions != nullptr && result.regions->Requested())
  {
    std::cout << "Region table: " << result.regions->TablePath() << '\n';
  }
  if (m_State)
  {
    std::cout << "State: " << *m_State << '\n';
  }
  if (m_Report)
  {
    std::cout << "Report: " << *m_Report << '\n';
  }
  std::cout << fmt::format("Voxels: {} in mask, {} valid, {} constant, {} floored; {} non-finite samples skipped\n",
                           statistics.inMask,
                           statistics.valid,
                           statistics.constant,
                           statistics.floored,
                           statistics.skippedSamples);
  for (std::size_t i = 0; i < m_FidelityFiles.size(); ++i)
  {
    std::cout << m_FidelityFiles[i].first << ": " << m_FidelityNames[i] << '\n';
  }
  if (m_Fidelity.paired)
  {
    std::cout << fmt::format("Global MSE over mask and time: {}\n", statistics.globalMeanSquaredError);
  }
  if (!m_ReturnParameters)
  {
    WriteReturnParameters("", returnValues);
  }
}

} // namespace voxelkl
