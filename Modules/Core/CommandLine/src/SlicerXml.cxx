#include "voxelkl/SlicerXml.h"

#include <fmt/format.h>
#include <fmt/ranges.h> // fmt::join

#include <algorithm>

namespace voxelkl
{

namespace
{

// The element 3D Slicer's ModuleDescriptionParser knows the parameter as.
const char *
ElementName(const Parameter & parameter)
{
  switch (parameter.Kind())
  {
    case ParameterKind::InputImage:
    case ParameterKind::OutputImage:
      return "image";
    case ParameterKind::InputFile:
    case ParameterKind::OutputFile:
      return "file";
    case ParameterKind::OutputTable:
      return "table";
    case ParameterKind::String:
      return "string";
    // Slicer always passes a number, its widget showing 0 when there is no default. A
    // number without a default means "not set" here, so it becomes a string, which Slicer
    // passes only when the user typed something; the parser still checks it is a number.
    case ParameterKind::Integer:
      return parameter.Default() ? "integer" : "string";
    case ParameterKind::Double:
      return parameter.Default() ? "double" : "string";
    case ParameterKind::Boolean:
      return "boolean";
    case ParameterKind::Enumeration:
      return "string-enumeration";
  }
  return "string";
}

const char *
Channel(ParameterKind kind)
{
  switch (kind)
  {
    case ParameterKind::InputImage:
    case ParameterKind::InputFile:
      return "input";
    case ParameterKind::OutputImage:
    case ParameterKind::OutputFile:
    case ParameterKind::OutputTable:
      return "output";
    default:
      return nullptr; // only bulk data has a channel
  }
}

const char *
ElementName(ReturnValueKind kind)
{
  switch (kind)
  {
    case ReturnValueKind::Integer:
      return "integer";
    case ReturnValueKind::Double:
      return "double";
    case ReturnValueKind::Boolean:
      return "boolean";
    case ReturnValueKind::String:
      break;
  }
  return "string";
}

class XmlWriter
{
public:
  void
  Open(std::string_view element, std::string_view attributes = {})
  {
    Indent();
    m_Text += fmt::format("<{}{}>\n", element, attributes);
    ++m_Depth;
  }
  void
  Close(std::string_view element)
  {
    --m_Depth;
    Indent();
    m_Text += fmt::format("</{}>\n", element);
  }
  void
  Text(std::string_view element, std::string_view text)
  {
    Indent();
    m_Text += fmt::format("<{0}>{1}</{0}>\n", element, EscapeXml(text));
  }
  std::string
  Finish()
  {
    return std::move(m_Text);
  }

private:
  void
  Indent()
  {
    m_Text.append(2 * m_Depth, ' ');
  }

  std::string m_Text{ "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" };
  std::size_t m_Depth{ 0 };
};

void
WriteParameter(XmlWriter & xml, const Parameter & parameter)
{
  const char * element = ElementName(parameter);
  // A repeatable image or file is offered as a single one: Slicer would pass a repeatable
  // file as one comma-separated token, which is not our `--flag a --flag b`.
  std::string attributes;
  if (parameter.Kind() == ParameterKind::InputImage && parameter.IsMultiple())
  {
    // A series (one 4D image or a list of 3D volumes). The type offers Slicer's 4D volumes
    // (volume sequences and MultiVolumes), which it writes as one 4D NRRD with the frames
    // on a `list` axis; `scalar` would offer 3D volumes only (a sequence's current frame).
    attributes += " type=\"dynamic-contrast-enhanced\"";
  }
  if (!parameter.Extensions().empty())
  {
    attributes +=
      fmt::format(" fileExtensions=\"{}\"", EscapeXml(fmt::format("{}", fmt::join(parameter.Extensions(), ","))));
  }
  xml.Open(element, attributes);
  xml.Text("name", parameter.Flag());
  xml.Text("label", parameter.Label());
  xml.Text("description", parameter.Description().empty() ? parameter.Label() : parameter.Description());
  xml.Text("longflag", parameter.Flag());
  if (parameter.Kind() == ParameterKind::Boolean)
  {
    xml.Text("default", "false");
  }
  else if (parameter.Default())
  {
    xml.Text("default", *parameter.Default());
  }
  if (const char * channel = Channel(parameter.Kind()))
  {
    xml.Text("channel", channel);
  }
  for (const auto & choice : parameter.Choices())
  {
    xml.Text("element", choice);
  }
  xml.Close(element);
}

void
WriteGroup(XmlWriter & xml, const ParameterGroup & group)
{
  const auto visible = [](const Parameter & parameter) { return !parameter.IsHiddenFromSlicer(); };
  if (std::none_of(group.parameters.begin(), group.parameters.end(), visible))
  {
    return; // an empty box in Slicer's panel helps no one
  }
  xml.Open("parameters", group.advanced ? " advanced=\"true\"" : "");
  xml.Text("label", group.label);
  xml.Text("description", group.description.empty() ? group.label : group.description);
  for (const auto & parameter : group.parameters)
  {
    if (visible(parameter))
    {
      WriteParameter(xml, parameter);
    }
  }
  xml.Close("parameters");
}

// Return values: channel output and neither flag nor index, which is how Slicer tells
// them from outputs it must pass a path for.
void
WriteReturnValues(XmlWriter & xml, const std::vector<ReturnValue> & values)
{
  if (values.empty())
  {
    return;
  }
  xml.Open("parameters");
  xml.Text("label", "Results");
  xml.Text("description", "Values the command computes (read only)");
  for (const auto & value : values)
  {
    const char * element = ElementName(value.kind);
    xml.Open(element);
    xml.Text("name", value.name);
    xml.Text("label", value.label.empty() ? value.name : value.label);
    xml.Text("description", value.description.empty() ? value.label : value.description);
    xml.Text("channel", "output");
    xml.Close(element);
  }
  xml.Close("parameters");
}

} // namespace

std::string
EscapeXml(std::string_view text)
{
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text)
  {
    switch (c)
    {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      default:
        // Control characters other than tab and newlines are not allowed in XML 1.0 at
        // all, and one would make Slicer reject the whole module: leave them out.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r')
        {
          escaped += c;
        }
    }
  }
  return escaped;
}

std::string
FormatSlicerXml(const CommandDescription & description)
{
  description.Validate();
  XmlWriter xml;
  xml.Open("executable");
  xml.Text("category", description.category);
  xml.Text("title", description.title);
  std::vector<std::string> paragraphs{ description.synopsis };
  paragraphs.insert(paragraphs.end(), description.description.begin(), description.description.end());
  xml.Text("description", fmt::format("{}", fmt::join(paragraphs, "\n\n")));
  xml.Text("version", ProjectVersion());
  xml.Text("documentation-url", description.documentationUrl);
  xml.Text("license", description.license);
  xml.Text("contributor", description.contributor);
  xml.Text("acknowledgements", description.acknowledgements); // British: Slicer #1660
  for (const auto & group : description.groups)
  {
    WriteGroup(xml, group);
  }
  WriteReturnValues(xml, description.returnValues);
  xml.Close("executable");
  return xml.Finish();
}

} // namespace voxelkl
