// What every executable declares alike: its product fields and the --threads and --tiles
// options, declared and read in one place.
#ifndef voxelkl_ExecutionArguments_h
#define voxelkl_ExecutionArguments_h

#include "voxelkl/CommandDescription.h"
#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/ParsedArguments.h"

namespace voxelkl
{

/** A VoxelKL executable's description with what all of them share (3D Slicer category,
 * license, acknowledgements) filled in. */
CommandDescription
MakeCommandDescription(std::string name, std::string title, std::string synopsis);

/** Adds the advanced "Execution" group: --threads and --tiles. */
void
AddExecutionOptions(CommandDescription & description);

/** Reads them (UsageError for negative values) and makes --threads ITK's global default
 * too, so that ITK's own filters (readers, writers) follow it. */
ExecutionOptions
ReadExecutionOptions(const ParsedArguments & arguments);

} // namespace voxelkl

#endif
