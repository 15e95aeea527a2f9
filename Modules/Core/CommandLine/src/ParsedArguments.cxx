#include "voxelkl/ParsedArguments.h"

#include "ValueText.h"
#include "voxelkl/Errors.h"
#include "voxelkl/PathText.h"

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace voxelkl
{

namespace po = boost::program_options;

namespace
{

// Collects stray positional arguments so that the error can name the first one; the
// hyphen keeps it apart from every flag, which are identifiers.
const char * const PositionalOption = "positional-arguments";

// No abbreviations (allow_guessing): `--ref` must not silently mean `--reference` today
// and become ambiguous when a `--refine` option arrives.
const int ParserStyle = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

po::options_description
BoostOptions(const CommandDescription & description)
{
  po::options_description options;
  for (const auto & group : description.groups)
  {
    for (const auto & parameter : group.parameters)
    {
      const char * flag = parameter.Flag().c_str();
      if (parameter.Kind() == ParameterKind::Boolean)
      {
        options.add_options()(flag, po::bool_switch());
      }
      else if (parameter.IsMultiple())
      {
        options.add_options()(flag, po::value<std::vector<std::string>>());
      }
      else
      {
        // Numbers and choices are read as text and checked by ValueText, whose messages
        // name the option and the expected values.
        options.add_options()(flag, po::value<std::string>());
      }
    }
  }
  // RunCommand answers these before parsing; declared so that they are never "unknown".
  auto add = options.add_options();
  add("help,h", po::bool_switch());
  add("version", po::bool_switch());
  add("xml", po::bool_switch());
  // What 3D Slicer adds to every run (as GenerateCLP declares them).
  add("returnparameterfile", po::value<std::string>());
  add("processinformationaddress", po::value<std::string>());
  add(PositionalOption, po::value<std::vector<std::string>>());
  return options;
}

std::string
UsageMessage(const po::error & error)
{
  // Boost's own wording for the common mistakes differs from ours ("--x: ..."); the rest
  // keep Boost's message.
  if (const auto * unknown = dynamic_cast<const po::unknown_option *>(&error))
  {
    const std::string token = unknown->get_option_name(); // "--x=v" for a joined value
    return fmt::format("unknown option '{}'", token.substr(0, token.find('=')));
  }
  if (const auto * repeated = dynamic_cast<const po::multiple_occurrences *>(&error))
  {
    return fmt::format("{} is given more than once", repeated->get_option_name());
  }
  if (const auto * syntax = dynamic_cast<const po::invalid_syntax *>(&error))
  {
    if (syntax->kind() == po::invalid_syntax::missing_parameter)
    {
      return fmt::format("{}: missing value", syntax->get_option_name());
    }
    if (syntax->kind() == po::invalid_syntax::extra_parameter)
    {
      return fmt::format("{} is a switch and takes no value", syntax->get_option_name());
    }
  }
  return error.what();
}

// An output file's name must end in an extension it declares (a table in .tsv): every
// executable writes JSON, TSV and its tables under the same rule, whatever the file name.
void
CheckOutputExtension(const Parameter & parameter, const std::string & text)
{
  const bool table = parameter.Kind() == ParameterKind::OutputTable;
  if (parameter.Kind() != ParameterKind::OutputFile && !table)
  {
    return;
  }
  const std::vector<std::string> extensions = table ? std::vector<std::string>{ ".tsv" } : parameter.Extensions();
  if (extensions.empty())
  {
    return;
  }
  const std::string lower = Lowercase(text);
  for (const auto & extension : extensions)
  {
    if (lower.size() > extension.size() && EndsWith(lower, Lowercase(extension)))
    {
      return;
    }
  }
  throw UsageError(
    fmt::format("--{} {}: expected a {} file name", parameter.Flag(), text, fmt::join(extensions, " or ")));
}

void
CheckValue(const Parameter & parameter, const std::string & text)
{
  switch (parameter.Kind())
  {
    case ParameterKind::Integer:
      ParseInt(parameter.Flag(), text);
      break;
    case ParameterKind::Double:
      ParseDouble(parameter.Flag(), text);
      break;
    case ParameterKind::Enumeration:
      CheckChoice(parameter.Flag(), text, parameter.Choices());
      break;
    case ParameterKind::InputImage:
    case ParameterKind::OutputImage:
    case ParameterKind::InputFile:
    case ParameterKind::OutputFile:
    case ParameterKind::OutputTable:
      if (text.empty())
      {
        throw UsageError(fmt::format("--{}: the file name is empty", parameter.Flag()));
      }
      CheckOutputExtension(parameter, text);
      break;
    case ParameterKind::String:
    case ParameterKind::Boolean:
      break;
  }
}

} // namespace

ParsedArguments
ParseCommandLine(const CommandDescription & description, const std::vector<std::string> & arguments)
{
  description.Validate();
  // Named, not temporaries: the parsed options point to them until po::store is done.
  const po::options_description      options = BoostOptions(description);
  po::positional_options_description positional;
  positional.add(PositionalOption, -1);
  po::variables_map values;
  try
  {
    const auto parsed =
      po::command_line_parser(arguments).options(options).positional(positional).style(ParserStyle).run();
    // No po::notify: there are no notifiers, and required options are checked below with
    // our own message.
    po::store(parsed, values);
  }
  catch (const po::error & error)
  {
    throw UsageError(UsageMessage(error));
  }
  if (values.count(PositionalOption) > 0)
  {
    throw UsageError(
      fmt::format("unexpected argument '{}'", values[PositionalOption].as<std::vector<std::string>>().front()));
  }

  using ValueType = ParsedArguments::ValueType;
  const auto valueTypeOf = [](ParameterKind kind) {
    switch (kind)
    {
      case ParameterKind::Integer:
        return ValueType::Integer;
      case ParameterKind::Double:
        return ValueType::Double;
      case ParameterKind::Boolean:
        return ValueType::Flag;
      default:
        return ValueType::Text;
    }
  };
  ParsedArguments result;
  for (const auto & group : description.groups)
  {
    for (const auto & parameter : group.parameters)
    {
      const std::string &        flag = parameter.Flag();
      ParsedArguments::Entry     entry{ valueTypeOf(parameter.Kind()), parameter.IsMultiple(), {} };
      const po::variable_value & value = values[flag];
      if (parameter.Kind() == ParameterKind::Boolean)
      {
        entry.values.push_back(value.as<bool>() ? "true" : "false");
      }
      else if (!value.empty())
      {
        entry.values =
          parameter.IsMultiple() ? value.as<std::vector<std::string>>() : std::vector{ value.as<std::string>() };
        for (const auto & text : entry.values)
        {
          CheckValue(parameter, text);
        }
      }
      else if (parameter.Default())
      {
        entry.values.push_back(*parameter.Default());
      }
      else if (parameter.IsRequired())
      {
        throw UsageError(fmt::format("missing required option --{}", flag));
      }
      result.m_Entries.emplace(flag, std::move(entry));
    }
  }
  if (values.count("returnparameterfile") > 0)
  {
    result.m_ReturnParameterFile = values["returnparameterfile"].as<std::string>();
  }
  return result;
}

const ParsedArguments::Entry &
ParsedArguments::Find(const std::string & flag, const char * getter, ValueType type) const
{
  const auto found = m_Entries.find(flag);
  if (found == m_Entries.end())
  {
    throw std::logic_error(fmt::format("{}: the command description has no --{}", getter, flag));
  }
  if (found->second.type != type)
  {
    const char * holds = found->second.type == ValueType::Integer  ? "an integer"
                         : found->second.type == ValueType::Double ? "a number"
                         : found->second.type == ValueType::Flag   ? "a switch"
                                                                   : "text";
    throw std::logic_error(fmt::format("{}: --{} holds {}", getter, flag, holds));
  }
  return found->second;
}

std::optional<std::string>
ParsedArguments::SingleValue(const std::string & flag, const char * getter, ValueType type) const
{
  const Entry & entry = Find(flag, getter, type);
  if (entry.multiple)
  {
    throw std::logic_error(fmt::format("{}: --{} may be repeated; use GetStrings", getter, flag));
  }
  if (entry.values.empty())
  {
    return std::nullopt;
  }
  return entry.values.front();
}

namespace
{
template <typename T>
T
Present(std::optional<T> value, const std::string & flag, const char * getter)
{
  if (!value)
  {
    throw std::logic_error(
      fmt::format("{}: --{} has no value (no default, not given); use the Optional getter", getter, flag));
  }
  return std::move(*value);
}
} // namespace

bool
ParsedArguments::Has(const std::string & flag) const
{
  const auto found = m_Entries.find(flag);
  if (found == m_Entries.end())
  {
    throw std::logic_error(fmt::format("Has: the command description has no --{}", flag));
  }
  return !found->second.values.empty();
}

std::string
ParsedArguments::GetString(const std::string & flag) const
{
  return Present(SingleValue(flag, "GetString", ValueType::Text), flag, "GetString");
}

std::optional<std::string>
ParsedArguments::GetOptionalString(const std::string & flag) const
{
  return SingleValue(flag, "GetOptionalString", ValueType::Text);
}

std::vector<std::string>
ParsedArguments::GetStrings(const std::string & flag) const
{
  return Find(flag, "GetStrings", ValueType::Text).values;
}

int
ParsedArguments::GetInt(const std::string & flag) const
{
  return Present(GetOptionalInt(flag), flag, "GetInt");
}

std::optional<int>
ParsedArguments::GetOptionalInt(const std::string & flag) const
{
  const auto text = SingleValue(flag, "GetInt", ValueType::Integer);
  return text ? std::optional<int>(ParseInt(flag, *text)) : std::nullopt;
}

double
ParsedArguments::GetDouble(const std::string & flag) const
{
  return Present(GetOptionalDouble(flag), flag, "GetDouble");
}

std::optional<double>
ParsedArguments::GetOptionalDouble(const std::string & flag) const
{
  const auto text = SingleValue(flag, "GetDouble", ValueType::Double);
  return text ? std::optional<double>(ParseDouble(flag, *text)) : std::nullopt;
}

bool
ParsedArguments::GetFlag(const std::string & flag) const
{
  return SingleValue(flag, "GetFlag", ValueType::Flag) == "true";
}

} // namespace voxelkl
