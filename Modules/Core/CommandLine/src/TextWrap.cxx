#include "TextWrap.h"

#include <algorithm>

namespace voxelkl
{

std::vector<std::string>
SplitWords(std::string_view text)
{
  const auto               isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::vector<std::string> words;
  std::size_t              position = 0;
  while (position < text.size())
  {
    if (isSpace(text[position]))
    {
      ++position;
      continue;
    }
    std::size_t end = position;
    while (end < text.size() && !isSpace(text[end]))
    {
      ++end;
    }
    words.emplace_back(text.substr(position, end - position));
    position = end;
  }
  return words;
}

std::vector<std::string>
WrapChunks(const std::vector<std::string> & chunks, std::size_t firstWidth, std::size_t restWidth)
{
  std::vector<std::string> lines;
  std::string              line;
  for (const auto & chunk : chunks)
  {
    const std::size_t width = lines.empty() ? firstWidth : restWidth;
    if (!line.empty() && line.size() + 1 + chunk.size() > width)
    {
      lines.push_back(std::move(line));
      line.clear();
    }
    if (!line.empty())
    {
      line += ' ';
    }
    line += chunk;
  }
  if (!line.empty())
  {
    lines.push_back(std::move(line));
  }
  return lines;
}

void
AppendWrapped(std::string &                    out,
              const std::vector<std::string> & chunks,
              std::size_t                      firstIndent,
              std::size_t                      restIndent,
              std::size_t                      lineWidth)
{
  // Keep at least 20 columns of text even when the indentation is deep.
  const auto width = [lineWidth](std::size_t indent) { return std::max<std::size_t>(lineWidth, indent + 20) - indent; };
  const std::vector<std::string> lines = WrapChunks(chunks, width(firstIndent), width(restIndent));
  for (std::size_t i = 0; i < lines.size(); ++i)
  {
    out.append(i == 0 ? firstIndent : restIndent, ' ');
    out += lines[i];
    out += '\n';
  }
}

void
AppendWrapped(std::string &    out,
              std::string_view text,
              std::size_t      firstIndent,
              std::size_t      restIndent,
              std::size_t      lineWidth)
{
  AppendWrapped(out, SplitWords(text), firstIndent, restIndent, lineWidth);
}

} // namespace voxelkl
