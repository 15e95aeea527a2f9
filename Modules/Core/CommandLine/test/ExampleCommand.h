// A command description that uses every kind of parameter, shared by the tests.
#ifndef voxelkl_ExampleCommand_h
#define voxelkl_ExampleCommand_h

#include "voxelkl/CommandDescription.h"

#include <string>
#include <vector>

namespace voxelkl::test
{

inline CommandDescription
ExampleCommand()
{
  CommandDescription d;
  d.name = "VoxelKLDivergence";
  d.title = "Voxel-wise KL divergence";
  d.category = "fMRI.VoxelKL";
  d.synopsis = "map the KL divergence between a reference and generated fMRI series";
  d.description = {
    "Fits a Gaussian to each voxel's time course in the reference (real) series and in each "
    "generated "
    "series, and writes the closed-form Kullback-Leibler divergence between the two as a 3D map.",
    "Values of <noise> & \"drift\" are not removed first.",
  };
  d.examples = { { "Compare a generated series with the real one",
                   "VoxelKLDivergence --reference real.nii.gz --input generated.nii.gz --output kl.nii.gz "
                   "--summary kl.json --direction symmetric" } };
  d.AddGroup("Inputs", "The series to compare")
    .Add(Parameter::InputImage("reference", "Reference series", "The real fMRI series (4D).").Required())
    .Add(Parameter::InputImage("input", "Generated series", "A generated series; give several.").Required().Multiple())
    .Add(Parameter::InputFile("config", "Configuration", "Settings read from a file.", { ".json" }));
  d.AddGroup("Outputs")
    .Add(Parameter::OutputImage("output", "KL map", "The voxel-wise divergence.").Required())
    .Add(Parameter::OutputFile("summary", "Summary", "Summary statistics of the map.", { ".json", ".txt" }));
  d.AddGroup("Options")
    .Add(Parameter::Enumeration(
      "direction", "KL direction", "Which divergence.", { "forward", "reverse", "symmetric" }, "forward"))
    .Add(Parameter::Double("varianceFloor", "Variance floor", "Smallest variance used; none by default."))
    .Add(Parameter::Double("alpha", "Alpha", "Significance level.", 0.05))
    .Add(Parameter::Integer("threads", "Threads", "Worker threads; 0 for all cores.", 0))
    .Add(Parameter::Integer("bins", "Bins", "Histogram bins; none by default."))
    .Add(Parameter::String("tag", "Tag", "A name for the run.", std::string("run")))
    .Add(Parameter::String("note", "Note", "Free text."))
    .Add(Parameter::Boolean("verbose", "Verbose", "Report each step."))
    .Add(Parameter::String("debugDump", "Debug dump", "Terminal-only diagnostics.").HiddenFromSlicer());
  d.AddReturnValue(ReturnValue::Double("meanKL", "Mean KL", "The mean of the map over the mask."));
  return d;
}

/** Every flag ExampleCommand declares. */
inline std::vector<std::string>
ExampleFlags()
{
  return { "reference", "input",   "config", "output", "summary", "direction", "varianceFloor",
           "alpha",     "threads", "bins",   "tag",    "note",    "verbose",   "debugDump" };
}

/** The required options, plus extra. */
inline std::vector<std::string>
MinimalArguments(std::vector<std::string> extra = {})
{
  std::vector<std::string> arguments{ "--reference", "real.nii.gz", "--input", "gen.nii.gz", "--output", "kl.nrrd" };
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

} // namespace voxelkl::test

#endif
