#include "voxelkl/RunCommand.h"

#include "voxelkl/CommandHelp.h"
#include "voxelkl/Errors.h"
#include "voxelkl/SlicerInvocation.h"
#include "voxelkl/SlicerXml.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>

namespace voxelkl
{

namespace
{

void
PrintToStdout(const std::string & text)
{
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

void
PrintError(const std::string & name, const std::string & message, bool hint)
{
  // One line, whatever happened: scripts and 3D Slicer show the last line of stderr.
  const std::string text = hint ? fmt::format("{}: error: {} (see '{} --help')\n", name, message, name)
                                : fmt::format("{}: error: {}\n", name, message);
  std::fputs(text.c_str(), stderr);
}

} // namespace

int
RunCommand(const CommandDescription & description, int argc, const char * const * argv, const CommandBody & body)
{
  const std::string name = description.name.empty() ? "command" : description.name;
  try
  {
    const std::vector<std::string> arguments(argv + std::min(argc, 1), argv + std::max(argc, 0));
    const auto                     given = [&arguments](const char * option) {
      return std::find(arguments.begin(), arguments.end(), option) != arguments.end();
    };
    // Slicer runs `<exe> --xml` alone and treats any stderr output as a failure, so this
    // comes before any parsing that could complain about missing required options.
    if (given("--xml"))
    {
      PrintToStdout(FormatSlicerXml(description));
      return 0;
    }
    if (given("--help") || given("-h"))
    {
      PrintToStdout(FormatHelp(description));
      return 0;
    }
    if (given("--version"))
    {
      PrintToStdout(fmt::format("{} {}\n", name, ProjectVersion()));
      return 0;
    }
    const ParsedArguments parsed = ParseCommandLine(description, arguments);
    // Options only 3D Slicer adds: progress then goes to Slicer's bar (ProgressBar).
    const auto slicerOption = [](const std::string & argument) {
      for (const std::string option : { "--returnparameterfile", "--processinformationaddress" })
      {
        if (argument == option || argument.rfind(option + "=", 0) == 0)
        {
          return true;
        }
      }
      return false;
    };
    NoteSlicerArguments(std::any_of(arguments.begin(), arguments.end(), slicerOption));
    return body(parsed);
  }
  catch (const UsageError & error)
  {
    PrintError(name, error.what(), true);
  }
  catch (const std::exception & error) // InputError, itk::ExceptionObject, bad_alloc, ...
  {
    PrintError(name, error.what(), false);
  }
  catch (...)
  {
    PrintError(name, "unknown exception", false);
  }
  return 1;
}

} // namespace voxelkl
