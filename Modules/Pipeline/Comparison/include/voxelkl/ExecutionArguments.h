// The --threads and --tiles options every executable takes, declared and read in one place.
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
