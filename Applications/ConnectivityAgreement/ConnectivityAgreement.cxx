// ConnectivityAgreement: does the generated series relate brain regions to each other as the
// real one does? Functional connectivity between atlas regions of both series, compared.
#include "voxelkl/ConnectivityJob.h"
#include "voxelkl/ConnectivityOutputs.h"
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionArguments.h"
#include "voxelkl/MapWriter.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ProgressBar.h"
#include "voxelkl/ReturnParameters.h"
#include "voxelkl/RunCommand.h"
#include "voxelkl/TableText.h"

#include <fmt/format.h>

#include <iostream>
#include <optional>
#include <sstream>

namespace
{
using voxelkl::Parameter;

voxelkl::CommandDescription
Describe()
{
  voxelkl::CommandDescription d = voxelkl::MakeCommandDescription(
    "ConnectivityAgreement",
    "Functional connectivity agreement",
    "compare the functional connectivity between atlas regions of a generated and a reference fMRI series");
  d.description = {
    "A generated series can have each voxel's distribution right and still relate brain regions to each other "
    "wrongly. For each series this computes the mean time series of every region of a label atlas (the mean of the "
    "region's finite voxels inside the mask at each time point) and the Pearson correlation matrix of those time "
    "series (functional connectivity), then compares the two: the matrix similarity (Pearson r between the Fisher z "
    "values of the two matrices' upper triangles), the mean squared difference of the Fisher z values, each region's "
    "profile correlation (Pearson r between its rows of z values in the two matrices, the diagonal left out; written "
    "as a map, the value painted on the region's voxels), and the KL divergence between the multivariate Gaussians "
    "of the two series' region time series (their means and Ledoit-Wolf shrunk covariances: T is often below the "
    "number of regions), in nats.",
    "Fisher z = atanh(r) with r clamped to +-(1 - 1e-7), so identical region time series give a finite z (8.406). "
    "forward = KL(reference || generated) (default), reverse = KL(generated || reference), symmetric = their sum. "
    "Nothing is paired: the two series may have different numbers of volumes; they must share the spatial grid (size, "
    "spacing, origin, direction within 1e-4).",
    "Regions left out, counted in the summary (each atlas label is listed with its status): no voxel inside the mask "
    "(or none on the series' grid after resampling), no finite value at any time point of a series, or a mean time "
    "series that is constant in a series (its correlations do not exist). A time point where a remaining region has "
    "no finite voxel is left out of that series' connectivity (censored, listed in the summary). Fewer than 2 regions "
    "to compare, or fewer than 2 time points left in a series, is an error. The matrix similarity and the profile "
    "correlations need 3 regions; where they do not exist the summary says null and the map holds 0.",
    "The atlas is any 3D image of integer labels (0 = background), e.g. MRIcron's aal.nii.gz; on another grid it is "
    "resampled onto the series' grid by nearest neighbour in physical space (a note on stderr says so). Each series "
    "is read once, front to back, volume by volume, both files at once (NIfTI and lists of 3D files in bounded memory; "
    "MetaImage and NRRD in blocks where ITK streams them, else whole); the region sums are taken in fixed chunks, so "
    "results are identical for any "
    "--threads, and --tiles has no effect.",
  };
  d.examples = {
    { "AAL regions of a model's output against the real series: both matrices, the summary and the profile map",
      "ConnectivityAgreement --reference sub-01_bold.nii.gz --generated sub-01_gen.nii.gz --mask brain.nii.gz "
      "--labels aal.nii.gz --labelNames aal.nii.txt --referenceMatrix fc_ref.tsv --generatedMatrix fc_gen.tsv "
      "--profileCorrelation profile.nii.gz --summary fc.json" },
    { "MindAligner's direction for the Gaussian KL, and the region time series",
      "ConnectivityAgreement --reference real.nii.gz --generated generated.nii.gz --labels atlas.nii.gz --direction "
      "reverse --timeSeries regions_over_time.tsv --summary fc.json" },
  };
  d.AddGroup("Inputs", "The two series and the atlas")
    .Add(Parameter::InputImage("reference",
                               "Reference series",
                               "The real fMRI series: a 4D image, several 4D runs (concatenated), or one 3D volume per "
                               "time point, with the option repeated.")
           .Required()
           .Multiple())
    .Add(Parameter::InputImage("generated",
                               "Generated series",
                               "The series produced by the model, on the reference's grid (any number of volumes); "
                               "same forms as --reference.")
           .Required()
           .Multiple())
    .Add(Parameter::InputImage(
      "mask", "Mask", "A 3D image on the same grid; regions are made of its nonzero voxels (default: all voxels)."))
    .Add(Parameter::InputImage("labels",
                               "Atlas",
                               "A 3D image of integer region labels, 0 = background; resampled onto the series' grid "
                               "(nearest neighbour) when it is on another grid.")
           .Required())
    .Add(Parameter::InputFile("labelNames",
                              "Region names",
                              "'index name' lines (tab or space separated, e.g. MRIcron's aal.nii.txt) or an FSL atlas "
                              "XML; numbers alone without it.",
                              { ".txt", ".tsv", ".xml" }));
  d.AddGroup("Outputs", "Where the results go")
    .Add(Parameter::OutputTable("referenceMatrix",
                                "Reference connectivity",
                                "The reference's correlation matrix over the regions compared: label, name, then one "
                                "column per region (TSV; a .schema.tsv is written beside it for 3D Slicer)."))
    .Add(Parameter::OutputTable(
      "generatedMatrix", "Generated connectivity", "The generated series' correlation matrix, as --referenceMatrix."))
    .Add(Parameter::OutputTable("timeSeries",
                                "Region time series",
                                "Each region's mean at each time point of both series: series, volume, kept (0 for a "
                                "censored time point), then one column per region with voxels in the mask."))
    .Add(Parameter::OutputImage("profileCorrelation",
                                "Profile correlation map",
                                "Each region's profile correlation painted on its voxels (float32; 0 outside the "
                                "regions compared)."))
    .Add(Parameter::OutputFile("summary",
                               "Summary",
                               "A JSON summary: inputs, options, every region's status, the time points used, the "
                               "matrix similarity, the mean squared z difference, the profile correlations and the "
                               "Gaussian KL with the shrinkage intensities.",
                               { ".json" }));
  d.AddGroup("Options", "How the series are compared")
    .Add(Parameter::Enumeration("direction",
                                "Direction",
                                "Of the Gaussian KL: forward = KL(reference || generated), reverse = "
                                "KL(generated || reference), symmetric = their sum.",
                                { "forward", "reverse", "symmetric" },
                                "forward"));
  voxelkl::AddExecutionOptions(d);
  d.AddReturnValue(voxelkl::ReturnValue::Double("matrixSimilarity",
                                                "Matrix similarity",
                                                "Pearson r between the upper triangles' Fisher z values (3 regions or "
                                                "more)."))
    .AddReturnValue(voxelkl::ReturnValue::Double("meanSquaredZDifference",
                                                 "Mean squared z difference",
                                                 "Mean of (z_generated - z_reference)^2 over region pairs."))
    .AddReturnValue(voxelkl::ReturnValue::Double(
      "gaussianKL",
      "Gaussian KL",
      "KL divergence between the multivariate Gaussians of the region time series, in nats."))
    .AddReturnValue(voxelkl::ReturnValue::Integer("regionsUsed", "Regions compared", "Regions in the matrices."))
    .AddReturnValue(voxelkl::ReturnValue::Integer(
      "regionsExcluded", "Regions left out", "Atlas regions left out (no voxel, no finite value or constant)."));
  return d;
}

int
Run(const voxelkl::ParsedArguments & args)
{
  voxelkl::ConnectivityJob job;
  job.execution = voxelkl::ReadExecutionOptions(args);
  job.direction = voxelkl::ParseKLDirection(args.GetString("direction"));
  const std::string atlas = args.GetString("labels");
  const auto        namesPath = args.GetOptionalString("labelNames");

  // Every input is declared before any output is staged, so that an output that would
  // replace one (under any spelling or link) is refused before any work.
  voxelkl::OutputTransaction outputs;
  outputs.ProtectInputs(args.GetStrings("reference"), "--reference");
  outputs.ProtectInputs(args.GetStrings("generated"), "--generated");
  outputs.ProtectInput(args.GetOptionalString("mask").value_or(""), "--mask");
  outputs.ProtectInput(atlas, "--labels");
  outputs.ProtectInput(namesPath.value_or(""), "--labelNames");
  struct Table
  {
    const char *               option;
    std::optional<std::string> path;
  };
  std::vector<Table> tables{ { "referenceMatrix", args.GetOptionalString("referenceMatrix") },
                             { "generatedMatrix", args.GetOptionalString("generatedMatrix") },
                             { "timeSeries", args.GetOptionalString("timeSeries") } };
  for (const Table & table : tables)
  {
    if (table.path)
    {
      outputs.Stage(*table.path, std::string("--") + table.option);
      outputs.Stage(voxelkl::TableSchemaPath(*table.path), std::string("--") + table.option + "'s schema");
    }
  }
  const auto profile = args.GetOptionalString("profileCorrelation");
  if (profile)
  {
    voxelkl::RequireImageOutputName("profileCorrelation", *profile);
    outputs.Stage(*profile, "--profileCorrelation");
  }
  const auto summary = args.GetOptionalString("summary");
  if (summary)
  {
    outputs.Stage(*summary, "--summary");
  }
  const auto returnParameters = args.ReturnParameterFile();
  if (returnParameters)
  {
    outputs.Stage(*returnParameters, "--returnparameterfile");
  }

  job.reference = voxelkl::InspectSeries(args.GetStrings("reference"));
  job.generated = voxelkl::InspectSeries(args.GetStrings("generated"));
  voxelkl::RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  job.mask = voxelkl::LoadMask(args.GetOptionalString("mask").value_or(""), job.reference.Name(), job.reference.grid);
  std::ostringstream notes;
  if (namesPath)
  {
    job.names = voxelkl::ReadLabelNames(*namesPath);
    job.namesPath = *namesPath;
  }
  job.labels = voxelkl::LoadLabels(atlas, job.reference.Name(), job.reference.grid, notes);
  if (namesPath)
  {
    voxelkl::CheckLabelNames(*namesPath, job.names, job.labels, notes);
  }

  voxelkl::ProgressBar bar("ConnectivityAgreement");
  job.execution.progress = [&bar](double fraction) { bar.Update(fraction); };
  const voxelkl::ConnectivityResult result = voxelkl::ComputeConnectivity(job);
  bar.Finish();
  const voxelkl::ConnectivityComparison & comparison = result.comparison;

  for (const Table & table : tables)
  {
    if (!table.path)
    {
      continue;
    }
    const std::string option = table.option;
    const bool        isTimeSeries = option == "timeSeries";
    const bool        reference = option == "referenceMatrix";
    outputs.Write(*table.path,
                  isTimeSeries ? voxelkl::FormatRegionTimeSeriesTable(job, result)
                               : voxelkl::FormatCorrelationTable(job, result, reference));
    outputs.Write(voxelkl::TableSchemaPath(*table.path),
                  isTimeSeries ? voxelkl::FormatRegionTimeSeriesSchema(job, result)
                               : voxelkl::FormatCorrelationSchema(job, result, reference));
  }
  if (profile)
  {
    voxelkl::WriteMap(voxelkl::MakeProfileCorrelationMap(job, result),
                      outputs.Temporary(*profile),
                      *profile,
                      voxelkl::IsUnorientedNifti(job.reference.files.front()));
  }
  if (summary)
  {
    // Names are UTF-8 by construction (ReadLabelNames); replace guards against the rest.
    outputs.Write(
      *summary,
      voxelkl::MakeConnectivitySummary(job, result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
        '\n');
  }
  const std::optional<double>                      kl = comparison.GaussianDivergence(job.direction);
  std::vector<std::pair<std::string, std::string>> values;
  if (comparison.matrixSimilarity)
  {
    values.emplace_back("matrixSimilarity", fmt::format("{}", *comparison.matrixSimilarity));
  }
  values.emplace_back("meanSquaredZDifference", fmt::format("{}", comparison.meanSquaredZDifference));
  if (kl)
  {
    values.emplace_back("gaussianKL", fmt::format("{}", *kl));
  }
  values.emplace_back("regionsUsed", fmt::format("{}", comparison.used.size()));
  values.emplace_back("regionsExcluded", fmt::format("{}", comparison.regions.size() - comparison.used.size()));
  if (returnParameters)
  {
    outputs.Write(*returnParameters, voxelkl::FormatReturnParameters(values));
  }
  outputs.Commit();

  std::string line;
  for (std::istringstream lines(notes.str()); std::getline(lines, line);)
  {
    voxelkl::PrintNote(line);
  }
  if (const voxelkl::AtlasCoverage coverage = voxelkl::ConnectivityCoverage(job); !coverage.warning.empty())
  {
    voxelkl::PrintWarning(coverage.warning);
  }
  std::size_t excludedConstant = 0, excludedNonFinite = 0, excludedEmpty = 0;
  for (const voxelkl::RegionOutcome & outcome : comparison.regions)
  {
    excludedConstant += outcome.status == voxelkl::RegionStatus::Constant ? 1 : 0;
    excludedNonFinite += outcome.status == voxelkl::RegionStatus::NoFiniteValue ? 1 : 0;
    excludedEmpty += outcome.status == voxelkl::RegionStatus::NoVoxel ? 1 : 0;
  }
  if (excludedConstant + excludedNonFinite + excludedEmpty > 0)
  {
    voxelkl::PrintWarning(fmt::format("{} of the {} regions left out: {} without a voxel in the "
                                      "mask, {} without a finite value, {} constant over time (the summary lists them)",
                                      excludedConstant + excludedNonFinite + excludedEmpty,
                                      comparison.regions.size(),
                                      excludedEmpty,
                                      excludedNonFinite,
                                      excludedConstant));
  }
  for (const auto * series : { &comparison.reference, &comparison.generated })
  {
    if (!series->censored.empty())
    {
      voxelkl::PrintWarning(fmt::format("{} of the {} time points of the {} series left out: a "
                                        "region has no finite voxel there (first: {})",
                                        series->censored.size(),
                                        series->timePoints,
                                        series == &comparison.reference ? "reference" : "generated",
                                        series->censored.front()));
    }
  }
  auto number = [](const std::optional<double> & value) {
    return value ? fmt::format("{:.6g}", *value) : std::string("undefined");
  };
  std::cout << fmt::format("Regions compared: {} of {} ({} region pairs)\n",
                           comparison.used.size(),
                           comparison.regions.size(),
                           comparison.pairs);
  std::cout << fmt::format("Matrix similarity (Pearson r of the Fisher z upper triangles): {}\n",
                           number(comparison.matrixSimilarity));
  std::cout << fmt::format("Mean squared Fisher z difference: {:.6g}\n", comparison.meanSquaredZDifference);
  std::cout << fmt::format("Gaussian KL ({}, nats; Ledoit-Wolf shrinkage reference {:.3g}, generated {:.3g}): {}\n",
                           voxelkl::ToString(job.direction),
                           comparison.reference.covariance.shrinkage,
                           comparison.generated.covariance.shrinkage,
                           number(kl));
  for (const Table & table : tables)
  {
    if (table.path)
    {
      std::cout << fmt::format("--{}: {}\n", table.option, *table.path);
    }
  }
  if (profile)
  {
    std::cout << "Profile correlation map: " << *profile << '\n';
  }
  if (summary)
  {
    std::cout << "Summary: " << *summary << '\n';
  }
  if (!returnParameters)
  {
    voxelkl::WriteReturnParameters("", values);
  }
  return 0;
}

} // namespace

int
main(int argc, char ** argv)
{
  // Every .nii/.nii.gz that an itk::ImageFileReader opens (masks, atlases) is read by
  // VoxelKL's reader or refused with its reason, never handed to niftilib.
  voxelkl::RegisterNiftiImageIO(voxelkl::NiftiClaim::EveryNiftiFile);
  return voxelkl::RunCommand(Describe(), argc, argv, Run);
}
