#include "voxelkl/CommandDescription.h"

#include "ValueText.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <utility>

#ifndef VOXELKL_VERSION
#error "VOXELKL_VERSION comes from CMake: target_compile_definitions(... VOXELKL_VERSION=...)"
#endif

namespace voxelkl
{

namespace
{

// Options every command has; a parameter of the same name would be shadowed by them.
const std::set<std::string> &
StandardOptionNames()
{
  static const std::set<std::string> names{
    "help", "h", "version", "xml", "returnparameterfile", "processinformationaddress"
  };
  return names;
}

void
RequireIdentifier(const std::string & name, const char * what)
{
  if (!IsIdentifier(name))
  {
    throw std::logic_error(
      fmt::format("{} '{}' is not an identifier ([_A-Za-z][_A-Za-z0-9]*), which 3D Slicer requires", what, name));
  }
}

void
RequireText(const std::string & text, const char * what)
{
  if (text.empty())
  {
    throw std::logic_error(fmt::format("the command description has no {}", what));
  }
}

} // namespace

Parameter::Parameter(ParameterKind kind, std::string flag, std::string label, std::string description)
  : m_Kind(kind)
  , m_Flag(std::move(flag))
  , m_Label(std::move(label))
  , m_Description(std::move(description))
{
  RequireIdentifier(m_Flag, "long flag");
  if (m_Label.empty())
  {
    throw std::logic_error(fmt::format("--{} has no label", m_Flag));
  }
}

Parameter
Parameter::InputImage(std::string flag, std::string label, std::string description)
{
  return Parameter(ParameterKind::InputImage, std::move(flag), std::move(label), std::move(description));
}

Parameter
Parameter::OutputImage(std::string flag, std::string label, std::string description)
{
  return Parameter(ParameterKind::OutputImage, std::move(flag), std::move(label), std::move(description));
}

namespace
{
void
CheckExtensions(const std::string & flag, const std::vector<std::string> & extensions)
{
  for (const auto & extension : extensions)
  {
    // Slicer's fileExtensions attribute is a comma-separated list.
    if (extension.size() < 2 || extension.front() != '.' || extension.find(',') != std::string::npos)
    {
      throw std::logic_error(
        fmt::format("--{}: file extension '{}' must start with '.' and hold no ','", flag, extension));
    }
  }
}
} // namespace

Parameter
Parameter::InputFile(std::string flag, std::string label, std::string description, std::vector<std::string> extensions)
{
  Parameter parameter(ParameterKind::InputFile, std::move(flag), std::move(label), std::move(description));
  CheckExtensions(parameter.m_Flag, extensions);
  parameter.m_Extensions = std::move(extensions);
  return parameter;
}

Parameter
Parameter::OutputFile(std::string flag, std::string label, std::string description, std::vector<std::string> extensions)
{
  Parameter parameter(ParameterKind::OutputFile, std::move(flag), std::move(label), std::move(description));
  CheckExtensions(parameter.m_Flag, extensions);
  parameter.m_Extensions = std::move(extensions);
  return parameter;
}

Parameter
Parameter::OutputTable(std::string flag, std::string label, std::string description)
{
  Parameter parameter(ParameterKind::OutputTable, std::move(flag), std::move(label), std::move(description));
  parameter.m_Extensions = { ".tsv" };
  return parameter;
}

Parameter
Parameter::String(std::string flag, std::string label, std::string description, std::optional<std::string> defaultValue)
{
  Parameter parameter(ParameterKind::String, std::move(flag), std::move(label), std::move(description));
  parameter.m_Default = std::move(defaultValue);
  return parameter;
}

Parameter
Parameter::Integer(std::string flag, std::string label, std::string description, std::optional<int> defaultValue)
{
  Parameter parameter(ParameterKind::Integer, std::move(flag), std::move(label), std::move(description));
  if (defaultValue)
  {
    parameter.m_Default = FormatNumber(*defaultValue);
  }
  return parameter;
}

Parameter
Parameter::Double(std::string flag, std::string label, std::string description, std::optional<double> defaultValue)
{
  Parameter parameter(ParameterKind::Double, std::move(flag), std::move(label), std::move(description));
  if (defaultValue)
  {
    // A value the parser would refuse from the user must not come from the default either.
    if (!std::isfinite(*defaultValue))
    {
      throw std::logic_error(fmt::format("--{}: the default is not a finite number", parameter.m_Flag));
    }
    parameter.m_Default = FormatNumber(*defaultValue);
  }
  return parameter;
}

Parameter
Parameter::Boolean(std::string flag, std::string label, std::string description)
{
  return Parameter(ParameterKind::Boolean, std::move(flag), std::move(label), std::move(description));
}

Parameter
Parameter::Enumeration(std::string              flag,
                       std::string              label,
                       std::string              description,
                       std::vector<std::string> choices,
                       std::string              defaultValue)
{
  Parameter parameter(ParameterKind::Enumeration, std::move(flag), std::move(label), std::move(description));
  if (choices.empty())
  {
    throw std::logic_error(fmt::format("--{} has no choices", parameter.m_Flag));
  }
  if (std::set<std::string>(choices.begin(), choices.end()).size() != choices.size() ||
      std::count(choices.begin(), choices.end(), std::string()) > 0)
  {
    throw std::logic_error(fmt::format("--{}: choices must be distinct and not empty", parameter.m_Flag));
  }
  if (std::find(choices.begin(), choices.end(), defaultValue) == choices.end())
  {
    throw std::logic_error(fmt::format("--{}: default '{}' is not a choice", parameter.m_Flag, defaultValue));
  }
  parameter.m_Choices = std::move(choices);
  parameter.m_Default = std::move(defaultValue);
  return parameter;
}

Parameter &
Parameter::Required()
{
  if (m_Kind == ParameterKind::Boolean || m_Default)
  {
    throw std::logic_error(fmt::format("--{} always has a value: it cannot be required", m_Flag));
  }
  if (m_HiddenFromSlicer)
  {
    throw std::logic_error(fmt::format("--{} is hidden from Slicer, which could never pass it", m_Flag));
  }
  m_Required = true;
  return *this;
}

Parameter &
Parameter::Multiple()
{
  if (!HoldsText() || m_Kind == ParameterKind::Enumeration)
  {
    throw std::logic_error(fmt::format("--{}: only images, files and strings can be repeated", m_Flag));
  }
  m_Multiple = true;
  return *this;
}

Parameter &
Parameter::HiddenFromSlicer()
{
  if (m_Required)
  {
    throw std::logic_error(fmt::format("--{} is required: Slicer must be able to pass it", m_Flag));
  }
  m_HiddenFromSlicer = true;
  return *this;
}

bool
Parameter::HoldsText() const
{
  return m_Kind != ParameterKind::Integer && m_Kind != ParameterKind::Double && m_Kind != ParameterKind::Boolean;
}

ParameterGroup &
ParameterGroup::Add(Parameter parameter)
{
  parameters.push_back(std::move(parameter));
  return *this;
}

namespace
{
ReturnValue
MakeReturnValue(ReturnValueKind kind, std::string name, std::string label, std::string description)
{
  RequireIdentifier(name, "return value name");
  return ReturnValue{ kind, std::move(name), std::move(label), std::move(description) };
}
} // namespace

ReturnValue
ReturnValue::Integer(std::string name, std::string label, std::string description)
{
  return MakeReturnValue(ReturnValueKind::Integer, std::move(name), std::move(label), std::move(description));
}

ReturnValue
ReturnValue::Double(std::string name, std::string label, std::string description)
{
  return MakeReturnValue(ReturnValueKind::Double, std::move(name), std::move(label), std::move(description));
}

ReturnValue
ReturnValue::Boolean(std::string name, std::string label, std::string description)
{
  return MakeReturnValue(ReturnValueKind::Boolean, std::move(name), std::move(label), std::move(description));
}

ReturnValue
ReturnValue::String(std::string name, std::string label, std::string description)
{
  return MakeReturnValue(ReturnValueKind::String, std::move(name), std::move(label), std::move(description));
}

ParameterGroup &
CommandDescription::AddGroup(std::string label, std::string description)
{
  if (label.empty())
  {
    throw std::logic_error("a parameter group has no label");
  }
  groups.push_back(ParameterGroup{ std::move(label), std::move(description), false, {} });
  return groups.back();
}

CommandDescription &
CommandDescription::AddReturnValue(ReturnValue value)
{
  returnValues.push_back(std::move(value));
  return *this;
}

void
CommandDescription::Validate() const
{
  RequireText(name, "name");
  RequireText(title, "title");
  RequireText(category, "category");
  RequireText(synopsis, "synopsis");
  if (examples.empty())
  {
    throw std::logic_error(fmt::format("{}: --help teaches by example; give at least one", name));
  }
  // Slicer identifies parameters and return values by name, in one namespace.
  std::set<std::string> seen;
  const auto            claim = [&seen](const std::string & flag) {
    if (StandardOptionNames().count(flag) > 0)
    {
      throw std::logic_error(fmt::format("--{} is a standard option of every command", flag));
    }
    if (!seen.insert(flag).second)
    {
      throw std::logic_error(fmt::format("'{}' is declared twice", flag));
    }
  };
  for (const auto & group : groups)
  {
    for (const auto & parameter : group.parameters)
    {
      claim(parameter.Flag());
    }
  }
  for (const auto & value : returnValues)
  {
    RequireIdentifier(value.name, "return value name");
    claim(value.name);
  }
}

std::string
ProjectVersion()
{
  return VOXELKL_VERSION;
}

CommandDescription
MakeCommandDescription(std::string name, std::string title, std::string synopsis)
{
  CommandDescription description;
  description.name = std::move(name);
  description.title = std::move(title);
  description.synopsis = std::move(synopsis);
  description.category = "fMRI.VoxelKL";
  description.license = "Apache-2.0";
  description.acknowledgements = "Built on ITK, oneTBB, Boost, zlib, nlohmann-json and fmt.";
  return description;
}

} // namespace voxelkl
