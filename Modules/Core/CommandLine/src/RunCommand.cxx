#include "voxelkl/RunCommand.h"

#include "voxelkl/CommandHelp.h"
#include "voxelkl/ErrorText.h"
#include "voxelkl/Errors.h"
#include "voxelkl/MemoryLimit.h"
#include "voxelkl/SlicerInvocation.h"
#include "voxelkl/SlicerXml.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <mutex>
#include <new>

namespace voxelkl
{

namespace
{

// The running command's name, for PrintWarning and PrintNote: set once by RunCommand.
std::mutex  g_NameMutex;
std::string g_Name = "VoxelKL";

std::string
CommandName()
{
  const std::lock_guard<std::mutex> lock(g_NameMutex);
  return g_Name;
}

void
PrintToStdout(const std::string & text)
{
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

void
PrintError(const std::string & name, const std::string & message, bool hint)
{
  // One line, whatever happened: scripts and 3D Slicer show the last line of stderr. A
  // message that reaches here with ITK's location and class prefixes or several lines
  // (an itk::ExceptionObject no caller named) is cleaned and folded too.
  const std::string line = ItkErrorText(message);
  const std::string text = hint ? fmt::format("{}: error: {} (see '{} --help')\n", name, line, name)
                                : fmt::format("{}: error: {}\n", name, line);
  std::fputs(text.c_str(), stderr);
}

} // namespace

int
RunCommand(const CommandDescription & description, int argc, const char * const * argv, const CommandBody & body)
{
  const std::string name = description.name.empty() ? "command" : description.name;
  {
    const std::lock_guard<std::mutex> lock(g_NameMutex);
    g_Name = name;
  }
  ReadingScope::Clear();
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
  catch (const std::bad_alloc &)
  {
    // A size no check foresaw (the headers' grids are checked before they are allocated).
    const std::string reading = ReadingScope::Current();
    PrintError(name,
               reading.empty() ? "out of memory (std::bad_alloc)"
                               : reading + ": out of memory while reading it (std::bad_alloc)",
               false);
  }
  catch (const InputError & error) // names its file already
  {
    PrintError(name, error.what(), false);
  }
  catch (const std::exception & error) // itk::ExceptionObject, ...
  {
    // ITK's "Failed to allocate memory for image." names no file: say what was being read.
    const std::string message = error.what();
    const std::string reading = ReadingScope::Current();
    const bool        memory = message.find("allocate memory") != std::string::npos;
    PrintError(name, memory && !reading.empty() ? reading + ": " + message : message, false);
  }
  catch (...)
  {
    PrintError(name, "unknown exception", false);
  }
  return 1;
}

void
PrintWarning(const std::string & text)
{
  std::cerr << CommandName() << ": warning: " << OneLine(text) << '\n';
}

void
PrintNote(const std::string & text)
{
  std::cerr << CommandName() << ": note: " << OneLine(text) << '\n';
}

} // namespace voxelkl
