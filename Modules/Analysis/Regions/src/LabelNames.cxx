#include "voxelkl/LabelNames.h"

#include "LabelNameParsing.h"
#include "voxelkl/Errors.h"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace voxelkl
{
namespace detail
{

std::optional<std::int32_t>
ParseLabelValue(std::string_view text)
{
  if (!text.empty() && text.front() == '+')
  {
    text.remove_prefix(1);
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::int32_t>::max())
  {
    return std::nullopt;
  }
  return static_cast<std::int32_t>(value);
}

std::string_view
Trim(std::string_view text)
{
  constexpr std::string_view blank = " \t\r\n";
  const std::size_t          first = text.find_first_not_of(blank);
  if (first == std::string_view::npos)
  {
    return {};
  }
  return text.substr(first, text.find_last_not_of(blank) - first + 1);
}

std::size_t
LineAt(std::string_view text, std::size_t offset)
{
  std::size_t line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
  {
    line += text[i] == '\n' ? 1 : 0;
  }
  return line;
}

void
AddLabelName(LabelNames &                          names,
             std::map<std::int32_t, std::size_t> & lines,
             const std::string &                   path,
             std::size_t                           line,
             std::int32_t                          label,
             std::string                           name)
{
  if (name.empty())
  {
    throw InputError(path, fmt::format("line {}: label {} has no name", line, label));
  }
  const auto [where, added] = lines.emplace(label, line);
  if (!added)
  {
    throw InputError(path,
                     fmt::format("line {}: label {} is named twice (first on line {})", line, label, where->second));
  }
  names.emplace(label, std::move(name));
}

} // namespace detail

namespace
{

bool
IsValidUtf8(std::string_view text)
{
  std::size_t i = 0;
  while (i < text.size())
  {
    const auto  lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > text.size())
    {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k)
    {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2)
      {
        return false;
      }
    }
    i += length;
  }
  return true;
}

std::string
Latin1ToUtf8(std::string_view text)
{
  std::string utf8;
  utf8.reserve(text.size() + text.size() / 8);
  for (const char c : text)
  {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80)
    {
      utf8 += c;
    }
    else
    {
      utf8 += static_cast<char>(0xC0 | (byte >> 6));
      utf8 += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  return utf8;
}

} // namespace

LabelNames
ReadLabelNames(const std::string & path)
{
  std::error_code error;
  if (!std::filesystem::exists(path, error))
  {
    throw InputError(path, "no such file");
  }
  if (std::filesystem::is_directory(path, error))
  {
    throw InputError(path, "is a directory, not a file of label names");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file)
  {
    throw InputError(path, "cannot be opened");
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  std::string text = contents.str();
  if (text.find('\0') != std::string::npos)
  {
    throw InputError(path, "is a binary file, not label names (expected 'index name' lines or an FSL atlas XML file)");
  }
  if (text.rfind("\xEF\xBB\xBF", 0) == 0)
  {
    text.erase(0, 3);
  }
  if (!IsValidUtf8(text))
  {
    text = Latin1ToUtf8(text);
  }
  const auto content = detail::Trim(text);
  if (!content.empty() && content.front() == '<')
  {
    return detail::ParseFslAtlasXml(path, text);
  }
  return detail::ParseLabelTable(path, text);
}

} // namespace voxelkl
