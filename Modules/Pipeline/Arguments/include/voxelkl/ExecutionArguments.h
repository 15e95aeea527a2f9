// The --threads and --tiles options every executable declares alike, declared and read in
// one place (apart from the pipeline library, so that C++ users of the jobs need no
// command-line parser).
#ifndef voxelkl_ExecutionArguments_h
#define voxelkl_ExecutionArguments_h

#include "voxelkl/CommandDescription.h"
#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/ParsedArguments.h"

namespace voxelkl
{

/** Adds the advanced "Execution" group: --threads and --tiles. */
void
AddExecutionOptions(CommandDescription & description);

/** Reads them (UsageError for negative values) and makes --threads ITK's global default
 * too, so that ITK's own filters (readers, writers) follow it. */
ExecutionOptions
ReadExecutionOptions(const ParsedArguments & arguments);

} // namespace voxelkl

#endif
