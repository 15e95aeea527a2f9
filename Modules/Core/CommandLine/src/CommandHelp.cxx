#include "voxelkl/CommandHelp.h"

#include "TextWrap.h"
#include "ValueText.h"

#include <fmt/format.h>
#include <fmt/ranges.h> // fmt::join

#include <algorithm>
#include <cctype>

namespace voxelkl
{

namespace
{

constexpr std::size_t LineWidth = 80;
constexpr std::size_t FlagIndent = 2;
constexpr std::size_t TextIndent = 6;

std::string
Placeholder(const Parameter & parameter)
{
  switch (parameter.Kind())
  {
    case ParameterKind::InputImage:
    case ParameterKind::OutputImage:
      return "IMAGE";
    case ParameterKind::InputFile:
    case ParameterKind::OutputFile:
      return "FILE";
    case ParameterKind::OutputTable:
      return "TABLE.tsv";
    case ParameterKind::String:
      return "TEXT";
    case ParameterKind::Integer:
      return "INTEGER";
    case ParameterKind::Double:
      return "NUMBER";
    case ParameterKind::Enumeration:
      return fmt::format("{}", fmt::join(parameter.Choices(), "|"));
    case ParameterKind::Boolean:
      break;
  }
  return "";
}

// `--flag VALUE`, or `--flag` for a switch.
std::string
Synopsis(const Parameter & parameter)
{
  const std::string placeholder = Placeholder(parameter);
  return placeholder.empty() ? "--" + parameter.Flag() : fmt::format("--{} {}", parameter.Flag(), placeholder);
}

std::string
Heading(const std::string & label)
{
  std::string heading = label;
  std::transform(heading.begin(), heading.end(), heading.begin(), [](unsigned char c) {
    return static_cast<char>(std::toupper(c));
  });
  return heading;
}

void
AppendUsage(std::string & out, const CommandDescription & description)
{
  std::vector<std::string> chunks{ description.name };
  bool                     hasOptional = false;
  for (const auto & group : description.groups)
  {
    for (const auto & parameter : group.parameters)
    {
      if (!parameter.IsRequired())
      {
        hasOptional = true;
        continue;
      }
      chunks.push_back(Synopsis(parameter));
      if (parameter.IsMultiple())
      {
        chunks.push_back(fmt::format("[{} ...]", Synopsis(parameter)));
      }
    }
  }
  if (hasOptional)
  {
    chunks.emplace_back("[options]");
  }
  out += "USAGE\n";
  AppendWrapped(out, chunks, FlagIndent, TextIndent, LineWidth);
}

void
AppendParameter(std::string & out, const Parameter & parameter)
{
  std::vector<std::string> notes;
  if (parameter.IsRequired())
  {
    notes.emplace_back("required");
  }
  if (parameter.IsMultiple())
  {
    notes.emplace_back("repeatable");
  }
  if (parameter.Default())
  {
    notes.push_back(fmt::format("default: {}", parameter.Default()->empty() ? "''" : *parameter.Default()));
  }
  if (!parameter.Extensions().empty())
  {
    notes.push_back(fmt::format("{}", fmt::join(parameter.Extensions(), ", ")));
  }
  std::vector<std::string> chunks{ Synopsis(parameter) };
  if (!notes.empty())
  {
    chunks.push_back(fmt::format(" [{}]", fmt::join(notes, "; ")));
  }
  AppendWrapped(out, chunks, FlagIndent, TextIndent, LineWidth);
  AppendWrapped(out,
                parameter.Description().empty() ? parameter.Label() : parameter.Description(),
                TextIndent,
                TextIndent,
                LineWidth);
}

void
AppendReturnValues(std::string & out, const CommandDescription & description)
{
  if (description.returnValues.empty())
  {
    return;
  }
  out += "\nRESULTS\n";
  AppendWrapped(out,
                "Printed as 'name = value' lines on stdout, or written to the file given with "
                "--returnparameterfile.",
                FlagIndent,
                FlagIndent,
                LineWidth);
  for (const auto & value : description.returnValues)
  {
    out += '\n';
    AppendWrapped(out, value.name, FlagIndent, TextIndent, LineWidth);
    AppendWrapped(out, value.description.empty() ? value.label : value.description, TextIndent, TextIndent, LineWidth);
  }
}

void
AppendStandardOptions(std::string & out, const CommandDescription & description)
{
  std::vector<std::pair<std::string, std::string>> options{
    { "-h, --help", "Show this help and exit." },
    { "--version", "Print the name and version and exit." },
    { "--xml", "Print the 3D Slicer CLI module description and exit." },
  };
  if (!description.returnValues.empty())
  {
    options.emplace_back("--returnparameterfile FILE", "Write the results to FILE instead of stdout (3D Slicer does).");
  }
  out += "\nSTANDARD OPTIONS\n";
  for (std::size_t i = 0; i < options.size(); ++i)
  {
    out += fmt::format("{}{:{}}{}\n", i > 0 ? "\n" : "", "", FlagIndent, options[i].first);
    AppendWrapped(out, options[i].second, TextIndent, TextIndent, LineWidth);
  }
}

// A shell command, wrapped with trailing backslashes so that it can still be pasted.
void
AppendCommand(std::string & out, const std::string & command)
{
  constexpr std::size_t    Indent = 4;
  constexpr std::size_t    ContinuationIndent = 8;
  constexpr std::size_t    Backslash = 2; // " \"
  const auto               words = SplitWords(command);
  std::vector<std::string> chunks;
  // Keep `--flag value` together on one line.
  for (std::size_t i = 0; i < words.size(); ++i)
  {
    const bool isFlag = words[i].rfind("--", 0) == 0;
    if (isFlag && i + 1 < words.size() && words[i + 1].rfind("-", 0) != 0)
    {
      chunks.push_back(words[i] + ' ' + words[i + 1]);
      ++i;
    }
    else
    {
      chunks.push_back(words[i]);
    }
  }
  chunks.insert(chunks.begin(), "$");
  const auto lines = WrapChunks(chunks, LineWidth - Indent - Backslash, LineWidth - ContinuationIndent - Backslash);
  for (std::size_t i = 0; i < lines.size(); ++i)
  {
    out.append(i == 0 ? Indent : ContinuationIndent, ' ');
    out += lines[i];
    out += i + 1 < lines.size() ? " \\\n" : "\n";
  }
}

} // namespace

std::string
FormatHelp(const CommandDescription & description)
{
  description.Validate();
  std::string out = "NAME\n";
  AppendWrapped(out, fmt::format("{}: {}", description.name, description.synopsis), FlagIndent, TextIndent, LineWidth);
  out += '\n';
  AppendUsage(out, description);
  if (!description.description.empty())
  {
    out += "\nDESCRIPTION\n";
    for (std::size_t i = 0; i < description.description.size(); ++i)
    {
      out += i > 0 ? "\n" : "";
      AppendWrapped(out, description.description[i], FlagIndent, FlagIndent, LineWidth);
    }
  }
  for (const auto & group : description.groups)
  {
    out += '\n' + Heading(group.label) + '\n';
    for (std::size_t i = 0; i < group.parameters.size(); ++i)
    {
      out += i > 0 ? "\n" : "";
      AppendParameter(out, group.parameters[i]);
    }
  }
  AppendReturnValues(out, description);
  AppendStandardOptions(out, description);
  out += "\nEXAMPLES\n";
  for (std::size_t i = 0; i < description.examples.size(); ++i)
  {
    out += i > 0 ? "\n" : "";
    AppendWrapped(out, description.examples[i].what + ':', FlagIndent, FlagIndent, LineWidth);
    AppendCommand(out, description.examples[i].command);
  }
  out += fmt::format("\nVERSION\n{:{}}{} {}\n", "", FlagIndent, description.name, ProjectVersion());
  return out;
}

} // namespace voxelkl
