// --report FILE.html: the option every executable that can write a report shares.
#ifndef voxelkl_ReportOption_h
#define voxelkl_ReportOption_h

#include "voxelkl/CommandDescription.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/ParsedArguments.h"

#include <optional>
#include <string>

namespace voxelkl
{

/** Adds --report (an .html output file) to group; what: what the page shows. */
void
AddReportOption(ParameterGroup & group, const std::string & what);

/** The --report file, staged in outputs (after the caller declared its inputs); none
 * without the option. */
std::optional<std::string>
StageReport(const ParsedArguments & arguments, OutputTransaction & outputs);

} // namespace voxelkl

#endif
