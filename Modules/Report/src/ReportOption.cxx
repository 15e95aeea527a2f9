#include "voxelkl/ReportOption.h"

namespace voxelkl
{

void
AddReportOption(ParameterGroup & group, const std::string & what)
{
  group.Add(Parameter::OutputFile("report",
                                  "HTML report",
                                  "One self-contained HTML page (opens offline, no network request): " + what +
                                    ", and the inputs, options, voxel counts and warnings.",
                                  { ".html" }));
}

std::optional<std::string>
StageReport(const ParsedArguments & arguments, OutputTransaction & outputs)
{
  auto report = arguments.GetOptionalString("report");
  if (report)
  {
    outputs.Stage(*report, "--report");
  }
  return report;
}

} // namespace voxelkl
