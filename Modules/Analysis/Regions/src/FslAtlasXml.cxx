// FSL atlas descriptions ($FSLDIR/data/atlases/*.xml), read with a small scanner: the
// format is flat (a <type> and a list of <label index="..">Name</label>), and the project
// has no XML parser among its dependencies.
#include "LabelNameParsing.h"
#include "voxelkl/Errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>

namespace voxelkl::detail
{
namespace
{

// Comments blanked out, line breaks kept so that line numbers stay right.
std::string
WithoutComments(std::string_view text)
{
  std::string result(text);
  std::size_t open = 0;
  while ((open = result.find("<!--", open)) != std::string::npos)
  {
    const std::size_t close = result.find("-->", open + 4);
    const std::size_t end = close == std::string::npos ? result.size() : close + 3;
    for (std::size_t i = open; i < end; ++i)
    {
      result[i] = result[i] == '\n' ? '\n' : ' ';
    }
    open = end;
  }
  return result;
}

void
AppendUtf8(std::string & out, unsigned long code)
{
  if (code < 0x80)
  {
    out += static_cast<char>(code);
  }
  else if (code < 0x800)
  {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
  else if (code < 0x10000)
  {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
  else
  {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// The five predefined entities and character references; anything else is kept as is.
std::string
DecodeEntities(std::string_view text)
{
  static const std::map<std::string_view, char> named{
    { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' }
  };
  std::string out;
  std::size_t i = 0;
  while (i < text.size())
  {
    const std::size_t semicolon = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (semicolon != std::string_view::npos && semicolon - i <= 10)
    {
      const std::string_view entity = text.substr(i + 1, semicolon - i - 1);
      if (const auto found = named.find(entity); found != named.end())
      {
        out += found->second;
        i = semicolon + 1;
        continue;
      }
      if (entity.size() > 1 && entity[0] == '#')
      {
        const bool        hex = entity[1] == 'x' || entity[1] == 'X';
        const std::string digits(entity.substr(hex ? 2 : 1));
        char *            end = nullptr;
        const auto        code = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
        if (!digits.empty() && end == digits.c_str() + digits.size() && code > 0 && code <= 0x10FFFF)
        {
          AppendUtf8(out, code);
          i = semicolon + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

// name="value" or name='value' pairs of a start tag's attribute text.
std::map<std::string, std::string>
ParseAttributes(std::string_view text)
{
  std::map<std::string, std::string> attributes;
  std::size_t                        i = 0;
  while (i < text.size())
  {
    const std::size_t nameStart = text.find_first_not_of(" \t\r\n/", i);
    if (nameStart == std::string_view::npos)
    {
      break;
    }
    const std::size_t equals = text.find('=', nameStart);
    if (equals == std::string_view::npos)
    {
      break;
    }
    const std::size_t quote = text.find_first_not_of(" \t\r\n", equals + 1);
    if (quote == std::string_view::npos || (text[quote] != '"' && text[quote] != '\''))
    {
      break;
    }
    const std::size_t close = text.find(text[quote], quote + 1);
    if (close == std::string_view::npos)
    {
      break;
    }
    attributes[std::string(Trim(text.substr(nameStart, equals - nameStart)))] =
      DecodeEntities(text.substr(quote + 1, close - quote - 1));
    i = close + 1;
  }
  return attributes;
}

// The label value offset of the atlas type: 0 for Label, 1 for Probabilistic.
std::int32_t
TypeOffset(const std::string & path, std::string_view xml)
{
  const std::size_t open = xml.find("<type>");
  const std::size_t close = open == std::string_view::npos ? open : xml.find("</type>", open);
  if (close == std::string_view::npos)
  {
    throw InputError(path,
                     "an FSL atlas XML file must give <type>Label</type> or <type>Probabilistic</type> in its header "
                     "(it decides whether the voxel value is index or index + 1)");
  }
  const std::string given = DecodeEntities(Trim(xml.substr(open + 6, close - open - 6)));
  std::string       type = given;
  std::transform(
    type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (type == "label")
  {
    return 0;
  }
  if (type == "probabilistic" || type == "probabalistic")
  {
    return 1;
  }
  throw InputError(
    path, fmt::format("line {}: atlas type '{}' is neither Label nor Probabilistic", LineAt(xml, open), given));
}

} // namespace

LabelNames
ParseFslAtlasXml(const std::string & path, std::string_view text)
{
  const std::string                   xml = WithoutComments(text);
  const std::int32_t                  offset = TypeOffset(path, xml);
  LabelNames                          names;
  std::map<std::int32_t, std::size_t> lines;
  std::size_t                         open = 0;
  while ((open = xml.find("<label", open)) != std::string::npos)
  {
    const std::size_t afterName = open + 6;
    if (afterName >= xml.size() || std::string_view(" \t\r\n>/").find(xml[afterName]) == std::string_view::npos)
    {
      open = afterName; // <labels>, <labelfile>, ...
      continue;
    }
    const std::size_t line = LineAt(xml, open);
    const std::size_t tagEnd = xml.find('>', afterName);
    if (tagEnd == std::string::npos)
    {
      throw InputError(path, fmt::format("line {}: unterminated <label> tag", line));
    }
    const auto attributes = ParseAttributes(std::string_view(xml).substr(afterName, tagEnd - afterName));
    const auto index = attributes.find("index");
    if (index == attributes.end())
    {
      throw InputError(path, fmt::format("line {}: <label> without an index attribute", line));
    }
    const auto value = ParseLabelValue(Trim(index->second));
    if (!value || (offset == 1 && *value == std::numeric_limits<std::int32_t>::max()))
    {
      throw InputError(path, fmt::format("line {}: label index '{}' is not an integer", line, index->second));
    }
    std::string name;
    std::size_t next = tagEnd + 1;
    if (xml[tagEnd - 1] != '/') // not <label .../>
    {
      const std::size_t close = xml.find("</label>", tagEnd);
      if (close == std::string::npos)
      {
        throw InputError(path, fmt::format("line {}: <label> without </label>", line));
      }
      name = DecodeEntities(Trim(std::string_view(xml).substr(tagEnd + 1, close - tagEnd - 1)));
      next = close + 8;
    }
    AddLabelName(names, lines, path, line, *value + offset, std::move(name));
    open = next;
  }
  if (names.empty())
  {
    throw InputError(path, "an FSL atlas XML file without any <label index=\"..\">name</label>");
  }
  return names;
}

} // namespace voxelkl::detail
