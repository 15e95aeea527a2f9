#include "voxelkl/MomentMapOutputs.h"

#include "voxelkl/Errors.h"
#include "voxelkl/MapWriter.h"

#include <fmt/format.h>

#include <iostream>

namespace voxelkl
{
namespace
{
// The option of each map, in MomentMap order.
constexpr const char * MapFlags[] = { "mean", "variance", "std", "skewness", "kurtosis", "count" };
} // namespace

void
AddMomentMapOptions(ParameterGroup & group)
{
  group.Add(Parameter::OutputImage("mean", "Mean", "Mean over time."))
    .Add(Parameter::OutputImage("variance", "Variance", "Maximum-likelihood variance (divide by N)."))
    .Add(Parameter::OutputImage("std", "Standard deviation", "Square root of the variance."))
    .Add(Parameter::OutputImage("skewness", "Skewness", "Population skewness g1 (scipy.stats.skew)."))
    .Add(Parameter::OutputImage("kurtosis", "Excess kurtosis", "Population excess kurtosis g2 (scipy.stats.kurtosis)."))
    .Add(Parameter::OutputImage("count", "Count", "Number of finite samples."));
}

std::string
MomentMapOutputs::OptionList()
{
  return "--mean, --variance, --std, --skewness, --kurtosis, --count";
}

MomentMapOutputs::MomentMapOutputs(const ParsedArguments & args, OutputTransaction & outputs, bool stateOption)
{
  for (unsigned int n = 0; n < MomentMapCount; ++n)
  {
    if (const auto path = args.GetOptionalString(MapFlags[n]))
    {
      RequireImageOutputName(MapFlags[n], *path);
      m_Requested.emplace_back(static_cast<MomentMap>(n), *path);
    }
  }
  for (const auto & [map, path] : m_Requested)
  {
    m_Staged.push_back(outputs.Stage(path, std::string("--") + MapFlags[static_cast<std::size_t>(map)]));
  }
  if (stateOption)
  {
    m_State = args.GetOptionalString("saveState");
    if (m_State)
    {
      outputs.Stage(*m_State, "--saveState");
    }
  }
}

void
MomentMapOutputs::Write(const MomentMaps &                 maps,
                        const RegionRequest &              regions,
                        const std::vector<unsigned char> & mask,
                        bool                               unorientedNifti,
                        const StateHeader *                stateHeader,
                        const MeasureState *               state,
                        OutputTransaction &                outputs) const
{
  for (std::size_t i = 0; i < m_Requested.size(); ++i)
  {
    WriteMap(
      maps.maps[static_cast<std::size_t>(m_Requested[i].first)], m_Staged[i], m_Requested[i].second, unorientedNifti);
  }
  if (regions.Requested())
  {
    // Every moment map, written or not: the table costs nothing more.
    std::vector<RegionMap> regionMaps;
    for (unsigned int n = 0; n < MomentMapCount; ++n)
    {
      regionMaps.push_back({ MapFlags[n], maps.maps[n].GetPointer(), {} });
    }
    regions.Write(regionMaps, mask);
  }
  if (m_State)
  {
    WriteStateFile(outputs.Temporary(*m_State), *m_State, *stateHeader, *state);
  }
  outputs.Commit();
  if (regions.Requested())
  {
    std::cout << "Region table: " << regions.TablePath() << '\n';
  }
  for (const auto & [map, path] : m_Requested)
  {
    std::cout << MapFlags[static_cast<std::size_t>(map)] << ": " << path << '\n';
  }
  if (m_State)
  {
    std::cout << "State: " << *m_State << '\n';
  }
}

} // namespace voxelkl
