// VoxelKLMerge: the maps of many partial results (runs, subjects, sites) as if one series
// had held all their samples.
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionArguments.h"
#include "voxelkl/KLMapOutputs.h"
#include "voxelkl/MapWriter.h"
#include "voxelkl/MomentMapOutputs.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ProgressBar.h"
#include "voxelkl/RunCommand.h"
#include "voxelkl/StateHeaders.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <set>

namespace
{
using voxelkl::Parameter;

voxelkl::CommandDescription
Describe()
{
  voxelkl::CommandDescription d =
    voxelkl::MakeCommandDescription("VoxelKLMerge",
                                    "Merge VoxelKL states",
                                    "merge the saved states of runs or subjects into the maps of all their samples");
  d.description = {
    "Reads the state files that VoxelKLDivergence --saveState (or VoxelMoments --saveState) wrote, one per run, "
    "subject or site, merges their per-voxel accumulators (each series' count, mean and central moment sums, and the "
    "pairs' co-moments; Chan et al. 1979, Pebay 2008) and writes the maps as if one series had held all the "
    "samples: a group KL map from the states of every subject, or a subject's map from the states of its runs. The "
    "result equals that of one run over the concatenated series to rounding (1e-12 relative in the float64 state), "
    "for any order of the states.",
    "The states must share the grid, the mask, and the options that decide the values (direction, variance floor, "
    "runs handling); a state saved with paired maps (--mse, --correlation) merges with one saved without them, and "
    "then only unpaired maps can be written. Each state counts once: give a file once. Damaged, foreign or "
    "incompatible files are refused naming the file and the field.",
    "States of comparisons give the KL map and its fidelity maps, summary and region table (the options of "
    "VoxelKLDivergence); states of moments give the moment maps (the options of VoxelMoments). --saveState writes "
    "the merged state, so that merges can be merged again (sites into a study).",
  };
  d.examples = {
    { "A group map from the states of three subjects, with a summary",
      "VoxelKLMerge --state sub-01.vkls --state sub-02.vkls --state sub-03.vkls --output group_kl.nii.gz "
      "--summary group_kl.json" },
    { "A subject's map and MSE from its two runs, computed on two machines",
      "VoxelKLMerge --state run-1.vkls --state run-2.vkls --output kl.nii.gz --mse mse.nii.gz" },
    { "Group moment maps from VoxelMoments states",
      "VoxelKLMerge --state sub-01_moments.vkls --state sub-02_moments.vkls --mean mean.nii.gz --std std.nii.gz" },
  };
  d.AddGroup("Inputs", "The partial results")
    .Add(
      Parameter::InputFile("state", "States", "A VoxelKL state file (.vkls); repeat the option for each.", { ".vkls" })
        .Required()
        .Multiple());
  // The KL map is written for comparison states only.
  voxelkl::AddKLMapOutputOptions(d, "The merged state, to merge again later (in the format of the inputs).", false);
  voxelkl::AddMomentMapOptions(d.AddGroup("Moment maps", "From states of VoxelMoments"));
  voxelkl::AddRegionOptions(d);
  voxelkl::AddExecutionOptions(d);
  voxelkl::AddKLMapReturnValues(d);
  return d;
}

// The first option of names that was given, or "".
std::string
FirstGiven(const voxelkl::ParsedArguments & args, std::initializer_list<const char *> names)
{
  for (const char * name : names)
  {
    if (args.Has(name))
    {
      return name;
    }
  }
  return "";
}

struct MergedStates
{
  voxelkl::StateFile first;        ///< the first file's header; its state holds the merge
  nlohmann::json     provenance;   ///< one entry per file: path and what it was computed from
  bool               pairsDropped; ///< a state without pairs made the merge unpaired
};

MergedStates
MergeStates(const std::vector<std::string> & files, voxelkl::StateFile first, voxelkl::ProgressBar & bar)
{
  MergedStates         merged{ std::move(first), nlohmann::json::array(), false };
  voxelkl::StateFile & into = merged.first;
  merged.provenance.push_back({ { "path", files.front() }, { "inputs", into.header.inputs } });
  bar.Update(1.0 / static_cast<double>(files.size()));
  for (std::size_t i = 1; i < files.size(); ++i)
  {
    voxelkl::StateFile next = voxelkl::ReadStateFile(files[i]);
    voxelkl::RequireMergeable(files.front(), into.header, files[i], next.header);
    if (into.state.Kind() != next.state.Kind())
    {
      // A paired and an unpaired comparison: what they share is unpaired.
      merged.pairsDropped = true;
      into.state = into.state.WithoutPairs();
      next.state = next.state.WithoutPairs();
      into.header.kind = voxelkl::StateKind::Comparison;
    }
    into.state.Merge(next.state);
    merged.provenance.push_back({ { "path", files[i] }, { "inputs", next.header.inputs } });
    bar.Update(static_cast<double>(i + 1) / static_cast<double>(files.size()));
  }
  return merged;
}

void
RefuseOptions(const voxelkl::ParsedArguments &    args,
              std::initializer_list<const char *> names,
              const std::string &                 file,
              const char *                        kind)
{
  const std::string given = FirstGiven(args, names);
  if (!given.empty())
  {
    throw voxelkl::UsageError(fmt::format("--{} does not apply: {} holds a {} state", given, file, kind));
  }
}

int
MergeComparisons(const voxelkl::ParsedArguments & args,
                 const std::vector<std::string> & files,
                 voxelkl::StateFile               first,
                 voxelkl::OutputTransaction &     outputs)
{
  RefuseOptions(args, { "mean", "variance", "std", "skewness", "kurtosis", "count" }, files.front(), "comparison");
  if (!args.Has("output"))
  {
    throw voxelkl::UsageError("--output is required: " + files.front() + " holds a comparison state (a KL map)");
  }
  const voxelkl::KLMapOutputs           results(args, outputs);
  const voxelkl::ComparisonStateOptions options = voxelkl::ReadComparisonStateOptions(files.front(), first.header);
  const voxelkl::RegionRequest          regions(args, files.front(), first.header.grid, outputs);
  voxelkl::ExecutionOptions             execution = voxelkl::ReadExecutionOptions(args);

  voxelkl::ProgressBar bar("VoxelKLMerge");
  MergedStates         merged = MergeStates(files, std::move(first), bar);
  bar.Finish();
  const voxelkl::StateHeader & header = merged.first.header;
  voxelkl::KLMapJob            job; // what the maps are, for the summary
  job.direction = options.direction;
  job.floor = options.floor;
  job.runs = options.runs;
  job.fidelity = results.Fidelity();
  if (job.fidelity.paired && header.kind != voxelkl::StateKind::PairedComparison)
  {
    throw voxelkl::UsageError(fmt::format("--{} needs paired states: {}",
                                          FirstGiven(args, { "mse", "correlation" }),
                                          merged.pairsDropped
                                            ? "some states were saved without --mse or --correlation"
                                            : files.front() + " was saved without --mse or --correlation"));
  }
  const voxelkl::ComparisonSettings settings{
    options.direction, options.floor, job.fidelity.paired, job.fidelity.undefinedCorrelation
  };
  const voxelkl::KLMaps maps =
    voxelkl::FinishKLMaps(merged.first.state, header.grid, header.inside, settings, job.fidelity, execution);

  voxelkl::StateHeader mergedHeader = header;
  mergedHeader.inputs = { { "merged", merged.provenance } };
  mergedHeader.software = header.software; // as saved: every state was checked to agree

  voxelkl::KLMapOutputs::Result result;
  result.maps = &maps;
  result.summarize = [&](const voxelkl::KLMapStatistics & statistics) {
    nlohmann::json document = voxelkl::MakeKLSummary(job, maps, statistics);
    document["tool"] = "VoxelKLMerge";
    document["inputs"] = { { "states", merged.provenance },
                           { "mask",
                             header.inputs.contains("mask") ? header.inputs["mask"] : nlohmann::json(nullptr) } };
    document["options"]["runs"] = voxelkl::ToString(options.runs);
    document["options"]["merged"] = files.size();
    return document;
  };
  result.regions = &regions;
  result.mask = &header.inside;
  result.unorientedNifti = options.unorientedNifti;
  if (results.SavesState())
  {
    result.stateHeader = mergedHeader;
    result.state = &merged.first.state;
  }
  if (merged.pairsDropped)
  {
    result.warnings.push_back("some states were saved with paired maps and some without: the merge is unpaired");
  }
  result.headline =
    fmt::format("KL map of {} merged states ({}, gaussian, nats)", files.size(), voxelkl::ToString(options.direction));
  result.threads = voxelkl::EffectiveThreads(execution.threads);
  results.Write(result, outputs, "VoxelKLMerge");
  return 0;
}

int
MergeMoments(const voxelkl::ParsedArguments & args,
             const std::vector<std::string> & files,
             voxelkl::StateFile               first,
             voxelkl::OutputTransaction &     outputs)
{
  RefuseOptions(args,
                { "output", "summary", "mse", "correlation", "meanDifference", "varianceLogRatio", "report" },
                files.front(),
                "moments");
  const voxelkl::MomentMapOutputs results(args, outputs, true);
  if (results.Empty() && !results.SavesState() && !args.Has("regionTable"))
  {
    throw voxelkl::UsageError("no output requested: give at least one of " + voxelkl::MomentMapOutputs::OptionList() +
                              ", --regionTable, --saveState (" + files.front() + " holds a moments state)");
  }
  const voxelkl::RegionRequest regions(args, files.front(), first.header.grid, outputs);
  voxelkl::ProgressBar         bar("VoxelKLMerge");
  MergedStates                 merged = MergeStates(files, std::move(first), bar);
  bar.Finish();
  const voxelkl::StateHeader & header = merged.first.header;
  const voxelkl::MomentMaps    maps = voxelkl::FinishMoments(merged.first.state, header.grid, header.inside);
  voxelkl::StateHeader         mergedHeader = header;
  mergedHeader.inputs = { { "merged", merged.provenance } };
  const auto unoriented = header.options.find("unorientedNifti");
  results.Write(maps,
                regions,
                header.inside,
                unoriented != header.options.end() && *unoriented == true,
                &mergedHeader,
                &merged.first.state,
                outputs);
  std::cout << fmt::format("{} states merged, {} non-finite samples skipped\n", files.size(), maps.nonFiniteSamples);
  return 0;
}

int
Run(const voxelkl::ParsedArguments & args)
{
  const std::vector<std::string> files = args.GetStrings("state");
  std::set<std::string>          seen;
  for (const std::string & file : files)
  {
    if (!seen.insert(std::filesystem::weakly_canonical(file).string()).second)
    {
      throw voxelkl::UsageError("--state " + file + " is given twice: its samples would count twice");
    }
  }
  // Every input is declared before any output is staged, so that no output can replace one.
  voxelkl::OutputTransaction outputs;
  outputs.ProtectInputs(files, "--state");
  voxelkl::StateFile first = voxelkl::ReadStateFile(files.front());
  if (first.header.kind == voxelkl::StateKind::Moments)
  {
    return MergeMoments(args, files, std::move(first), outputs);
  }
  return MergeComparisons(args, files, std::move(first), outputs);
}

} // namespace

int
main(int argc, char ** argv)
{
  // Every .nii/.nii.gz that an itk::ImageFileReader opens (atlases) is read by VoxelKL's
  // reader or refused with its reason, never handed to niftilib.
  voxelkl::RegisterNiftiImageIO(voxelkl::NiftiClaim::EveryNiftiFile);
  return voxelkl::RunCommand(Describe(), argc, argv, Run);
}
