// The main() of every VoxelKL executable: standard options, parsing, error reporting.
#ifndef voxelkl_RunCommand_h
#define voxelkl_RunCommand_h

#include "voxelkl/CommandDescription.h"
#include "voxelkl/ParsedArguments.h"

#include <functional>

namespace voxelkl
{

/** The work of a command, given its checked arguments; returns the exit status. */
using CommandBody = std::function<int(const ParsedArguments &)>;

/** Runs a command the way 3D Slicer and a terminal user expect. The standard options
 * count wherever they appear, even after a mistake, so that help is always one flag away:
 * - `--xml`: the Slicer XML on stdout, exit 0, nothing on stderr, before any parsing (so
 *   that required options do not fire);
 * - else `--help` or `-h`: FormatHelp on stdout, exit 0;
 * - else `--version`: `<name> <version>` on stdout, exit 0;
 * - else ParseCommandLine, then body; whether the options only 3D Slicer adds
 *   (--returnparameterfile, --processinformationaddress) are present is noted
 *   (NoteSlicerArguments), so that a ProgressBar made by body writes Slicer's progress
 *   tags. A usage error prints the one line `<name>: error: <message> (see '<name>
 *   --help')` on stderr and gives 1. An exception from body gives 1 with the one line
 *   `<name>: error: <what>` (plus the hint for a UsageError); none escapes.
 *
 *   int main(int argc, char ** argv)
 *   {
 *     return voxelkl::RunCommand(Describe(), argc, argv, [](const voxelkl::ParsedArguments & args)
 * {
 *       ...
 *       return 0;
 *     });
 *   }
 */
int
RunCommand(const CommandDescription & description, int argc, const char * const * argv, const CommandBody & body);

/** Prints `<name>: warning: <text>` on stderr, one line, with the name of the command
 * RunCommand runs ("VoxelKL" outside one): every tool's warnings look alike. */
void
PrintWarning(const std::string & text);

/** Prints `<name>: note: <text>` on stderr, one line (as PrintWarning). */
void
PrintNote(const std::string & text);

} // namespace voxelkl

#endif
