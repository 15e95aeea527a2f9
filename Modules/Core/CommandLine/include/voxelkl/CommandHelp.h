// The --help text of a command, man-page like, wrapped to 80 columns.
#ifndef voxelkl_CommandHelp_h
#define voxelkl_CommandHelp_h

#include "voxelkl/CommandDescription.h"

#include <string>

namespace voxelkl
{

/** NAME (`name: synopsis`), USAGE, DESCRIPTION, one section per group with each
 * `--flag VALUE` and its choices, default and description, RESULTS (return values), the
 * standard options, EXAMPLES and VERSION. */
std::string
FormatHelp(const CommandDescription & description);

} // namespace voxelkl

#endif
