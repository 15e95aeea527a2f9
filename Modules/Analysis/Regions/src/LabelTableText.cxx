// Text tables of region names: `index name` lines in the dialects of MRIcron, FreeSurfer,
// ITK-SNAP and BIDS (see ReadLabelNames).
#include "LabelNameParsing.h"
#include "voxelkl/Errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace voxelkl::detail
{
namespace
{

// A line as quoted in a message: long ones shortened.
std::string
Quote(std::string_view line)
{
  constexpr std::size_t longest = 60;
  return line.size() <= longest ? std::string(line) : std::string(line.substr(0, longest - 3)) + "...";
}

bool
IsNumber(const std::string & token)
{
  char * end = nullptr;
  std::strtod(token.c_str(), &end);
  return !token.empty() && end == token.c_str() + token.size();
}

std::vector<std::string>
Split(std::string_view line, bool onTabs)
{
  std::vector<std::string> fields;
  if (onTabs)
  {
    std::size_t start = 0;
    while (true)
    {
      const std::size_t tab = line.find('\t', start);
      fields.emplace_back(Trim(line.substr(start, tab == std::string_view::npos ? tab : tab - start)));
      if (tab == std::string_view::npos)
      {
        break;
      }
      start = tab + 1;
    }
    return fields;
  }
  std::istringstream words{ std::string(line) };
  for (std::string word; words >> word;)
  {
    fields.push_back(word);
  }
  return fields;
}

// The name on a space-separated line whose fields[0] is the label (see ReadLabelNames).
std::string
SpaceSeparatedName(std::string_view line, const std::vector<std::string> & fields)
{
  const std::size_t open = line.find('"');
  if (open != std::string_view::npos)
  {
    const std::size_t close = line.find('"', open + 1);
    if (close != std::string_view::npos)
    {
      return std::string(Trim(line.substr(open + 1, close - open - 1)));
    }
  }
  if (fields.size() < 2)
  {
    return "";
  }
  bool numericTail = true;
  for (std::size_t i = 2; i < fields.size(); ++i)
  {
    numericTail = numericTail && IsNumber(fields[i]);
  }
  if (numericTail)
  {
    return fields[1];
  }
  std::string name = fields[1];
  for (std::size_t i = 2; i < fields.size(); ++i)
  {
    name += " " + fields[i];
  }
  return name;
}

struct HeaderColumns
{
  std::size_t index{ 0 };
  std::size_t name{ 0 };
};

std::optional<HeaderColumns>
FindHeaderColumns(const std::vector<std::string> & fields)
{
  std::optional<std::size_t> index;
  std::optional<std::size_t> name;
  for (std::size_t i = 0; i < fields.size(); ++i)
  {
    std::string lower = fields[i];
    for (char & c : lower)
    {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (lower == "index" && !index)
    {
      index = i;
    }
    if (lower == "name" && !name)
    {
      name = i;
    }
  }
  if (!index || !name)
  {
    return std::nullopt;
  }
  return HeaderColumns{ *index, *name };
}

} // namespace

LabelNames
ParseLabelTable(const std::string & path, std::string_view text)
{
  LabelNames                          names;
  std::map<std::int32_t, std::size_t> lines;
  std::optional<HeaderColumns>        header;
  bool                                firstEntry = true;
  std::size_t                         lineNumber = 0;
  std::size_t                         start = 0;
  while (start < text.size())
  {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const auto        line = Trim(text.substr(start, end - start));
    start = end + 1;
    ++lineNumber;
    if (line.empty() || line.front() == '#')
    {
      continue;
    }
    const bool tabbed = line.find('\t') != std::string_view::npos;
    const auto fields = Split(line, tabbed);
    if (fields.empty())
    {
      continue; // only blanks Trim keeps (vertical tab, form feed): a blank line
    }
    if (firstEntry)
    {
      firstEntry = false;
      if (!ParseLabelValue(fields[0]) && !IsNumber(fields[0]))
      {
        header = FindHeaderColumns(fields);
        if (!header)
        {
          throw InputError(path,
                           fmt::format("line {}: expected 'index name' (or a header with index and name columns), got "
                                       "'{}'",
                                       lineNumber,
                                       Quote(line)));
        }
        continue;
      }
    }
    const std::size_t indexColumn = header ? header->index : 0;
    const auto        label = indexColumn < fields.size() ? ParseLabelValue(fields[indexColumn]) : std::nullopt;
    if (!label)
    {
      throw InputError(
        path, fmt::format("line {}: expected an integer label (32-bit) first, got '{}'", lineNumber, Quote(line)));
    }
    std::string name;
    if (header)
    {
      name = header->name < fields.size() ? fields[header->name] : "";
    }
    else if (tabbed)
    {
      name = fields.size() > 1 ? fields[1] : "";
    }
    else
    {
      name = SpaceSeparatedName(line.substr(fields[0].size()), fields);
    }
    AddLabelName(names, lines, path, lineNumber, *label, std::move(name));
  }
  if (names.empty())
  {
    throw InputError(path, "holds no label names (expected 'index name' lines or an FSL atlas XML file)");
  }
  return names;
}

} // namespace voxelkl::detail
