// The inputs every reliability test runs the executables on, and each executable's inputs
// and outputs as options (so the same-file tests can pair every input with every output).
#ifndef voxelkl_test_Fixtures_h
#define voxelkl_test_Fixtures_h

#include <string>
#include <vector>

namespace voxelkl::test
{

/** What a file name must end with for the executable to accept it for an option. */
enum class Kind
{
  Image, // an image file name (.nii.gz here)
  Table, // .tsv
  Json,  // .json (summaries: the parser takes no other name)
  State, // .vkls
  Html,  // .html (reports)
  Any,
};

struct FileOption
{
  std::string option; // without "--"
  std::string file;   // name in the fixture directory
  Kind        kind;
};

struct ExecutableFiles
{
  std::string              name;
  std::string              path;
  std::vector<FileOption>  inputs;
  std::vector<FileOption>  outputs;
  std::vector<std::string> otherArguments; // neither input nor output
};

/** The executables with inputs (ref.nii.gz, gen.nii.gz, mask.nii.gz, labels.nii.gz,
 * names.tsv, map.nii.gz; VoxelKLCohort's index.tsv and the summary it names; VoxelKLMerge's
 * state.vkls, saved by VoxelKLDivergence from ref and gen; VoxelKLReport's map.nii.gz over
 * the mean of ref.nii.gz) and every output option each has. */
const std::vector<ExecutableFiles> &
Executables();

/** Writes the input files of Executables() into directory: a 6x5x4 grid, 10 time points. */
void
WriteInputs(const std::string & directory);

/** The command line of executable with every file option, its value `directory/file` (or
 * `file` when directory is empty). */
std::vector<std::string>
Arguments(const ExecutableFiles & executable, const std::string & directory);

/** Replaces the value of --option in arguments. */
void
SetOption(std::vector<std::string> & arguments, const std::string & option, const std::string & value);

} // namespace voxelkl::test

#endif
