// VoxelMoments: per-voxel mean, variance, spread and shape of a 4D series over time.
#include "voxelkl/Errors.h"
#include "voxelkl/ExecutionArguments.h"
#include "voxelkl/MapWriter.h"
#include "voxelkl/MomentMapOutputs.h"
#include "voxelkl/MomentsJob.h"
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ProgressBar.h"
#include "voxelkl/RegionOptions.h"
#include "voxelkl/RunCommand.h"
#include "voxelkl/StateHeaders.h"

#include <fmt/format.h>

#include <iostream>

namespace
{
using voxelkl::Parameter;

voxelkl::CommandDescription
Describe()
{
  voxelkl::CommandDescription d = voxelkl::MakeCommandDescription(
    "VoxelMoments",
    "Voxel-wise temporal moments",
    "map the mean, variance, standard deviation, skewness and kurtosis of a 4D series over time");
  d.description = {
    "Computes, at every voxel, the moments of its time series in one numerically stable pass (shifted "
    "Welford/Terriberry updates in double precision) and writes the maps asked for. Non-finite samples are skipped; "
    "--count gives how many samples each voxel kept.",
    "Conventions: variance is the maximum-likelihood estimate (divide by N, as numpy.var) and std its square root; "
    "skewness and excess kurtosis are the population forms of scipy.stats.skew and scipy.stats.kurtosis with their "
    "defaults (bias=True, Fisher), and are 0 where the series is constant. Voxels outside --mask are 0 in every map.",
    "The series is one 4D image (NIfTI, NRRD, MetaImage) or a list of 3D volumes, one per time point, given by "
    "repeating --input. Results are identical for any --threads and --tiles.",
  };
  d.examples = {
    { "Mean and standard deviation maps of a run",
      "VoxelMoments --input sub-01_bold.nii.gz --mean mean.nii.gz --std std.nii.gz" },
    { "Shape maps of a model's output, given as 3D volumes, inside a brain mask",
      "VoxelMoments --input gen_000.nii --input gen_001.nii --input gen_002.nii --mask brain.nii.gz "
      "--skewness skew.nii.gz --kurtosis kurt.nii.gz" },
  };
  d.AddGroup("Inputs", "The series")
    .Add(Parameter::InputImage("input",
                               "Series",
                               "A 4D image, or one 3D volume per time point with the option "
                               "repeated.")
           .Required()
           .Multiple())
    .Add(Parameter::InputImage("mask", "Mask", "A 3D image on the same grid; only its nonzero voxels are computed."));
  voxelkl::AddMomentMapOptions(d.AddGroup("Outputs", "The maps to write (at least one)"));
  d.AddGroup("State", "A partial result to merge later")
    .Add(Parameter::OutputFile("saveState",
                               "State",
                               "The per-voxel accumulators (count, mean and central moment sums to the fourth, min, "
                               "max) in a VoxelKL state file, so that VoxelKLMerge can merge runs or subjects into the "
                               "moment maps of all their samples.",
                               { ".vkls" }));
  voxelkl::AddRegionOptions(d);
  voxelkl::AddExecutionOptions(d);
  return d;
}

int
Run(const voxelkl::ParsedArguments & args)
{
  voxelkl::MomentsJob job;
  job.execution = voxelkl::ReadExecutionOptions(args);

  // Inputs first: an output that would replace one is refused before any work.
  voxelkl::OutputTransaction outputs;
  outputs.ProtectInputs(args.GetStrings("input"), "--input");
  outputs.ProtectInput(args.GetOptionalString("mask").value_or(""), "--mask");
  const voxelkl::MomentMapOutputs results(args, outputs, true);
  if (results.Empty() && !results.SavesState() && !args.Has("regionTable"))
  {
    throw voxelkl::UsageError("no output requested: give at least one of " + voxelkl::MomentMapOutputs::OptionList() +
                              ", --regionTable, --saveState");
  }
  job.saveState = results.SavesState();
  job.series = voxelkl::InspectSeries(args.GetStrings("input"));
  job.mask = voxelkl::LoadMask(args.GetOptionalString("mask").value_or(""), job.series.Name(), job.series.grid);
  const voxelkl::RegionRequest regions(args, job.series.Name(), job.series.grid, outputs);
  voxelkl::ProgressBar         bar("VoxelMoments");
  job.execution.progress = [&bar](double fraction) { bar.Update(fraction); };
  const auto maps = voxelkl::ComputeMoments(job);
  bar.Finish();
  std::optional<voxelkl::StateHeader> stateHeader;
  if (maps.state)
  {
    stateHeader = voxelkl::MakeMomentsStateHeader(job, *maps.state);
  }
  results.Write(maps,
                regions,
                job.mask.inside,
                voxelkl::IsUnorientedNifti(job.series.files.front()),
                stateHeader ? &*stateHeader : nullptr,
                maps.state.get(),
                outputs);
  std::cout << fmt::format("{} time points, {} voxels, {} non-finite samples skipped\n",
                           job.series.timePoints,
                           job.mask.count,
                           maps.nonFiniteSamples);
  return 0;
}

} // namespace

int
main(int argc, char ** argv)
{
  // Every .nii/.nii.gz that an itk::ImageFileReader opens (maps, masks, atlases) is read by
  // VoxelKL's reader or refused with its reason, never handed to niftilib.
  voxelkl::RegisterNiftiImageIO(voxelkl::NiftiClaim::EveryNiftiFile);
  return voxelkl::RunCommand(Describe(), argc, argv, Run);
}
