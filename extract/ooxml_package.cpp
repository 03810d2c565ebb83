#include "extract/ooxml_package.hpp"

#include <algorithm>
#include <cctype>

namespace jirasync::extract {

namespace {

/// Largest relationships / content-types part read into memory.
constexpr std::size_t max_small_part = 16 << 20;

constexpr std::string_view mc_ns
  = "http://schemas.openxmlformats.org/markup-compatibility/2006";

std::string lower(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

/// Collects the children of the root of [Content_Types].xml.
struct content_types_reader : xml_events {
  std::vector<std::pair<std::string, std::string>>& defaults;
  std::vector<std::pair<std::string, std::string>>& overrides;
  content_types_reader(std::vector<std::pair<std::string, std::string>>& d,
                       std::vector<std::pair<std::string, std::string>>& o)
      : defaults(d), overrides(o) {
    // nop
  }
  void start(std::string_view, std::string_view local,
             const xml_attrs& a) override {
    auto type = a.get({}, "ContentType");
    if (!type)
      return;
    if (local == "Default") {
      if (auto ext = a.get({}, "Extension"))
        defaults.emplace_back(lower(*ext), lower(*type));
    } else if (local == "Override") {
      if (auto part = a.get({}, "PartName")) {
        auto name = *part;
        if (!name.empty() && name.front() == '/')
          name.remove_prefix(1);
        overrides.emplace_back(lower(percent_decode(name)), lower(*type));
      }
    }
  }
  void end(std::string_view, std::string_view) override {
    // nop
  }
  void text(std::string_view) override {
    // nop
  }
};

struct rels_reader : xml_events {
  const std::string& source;
  std::vector<relationship>& out;
  rels_reader(const std::string& s, std::vector<relationship>& o)
      : source(s), out(o) {
    // nop
  }
  void start(std::string_view, std::string_view local,
             const xml_attrs& a) override {
    if (local != "Relationship")
      return;
    auto id = a.get({}, "Id");
    auto type = a.get({}, "Type");
    auto target = a.get({}, "Target");
    if (!id || !type || !target)
      return;
    relationship r;
    r.id = std::string{*id};
    auto slash = type->rfind('/');
    r.type = std::string{
      slash == std::string_view::npos ? *type : type->substr(slash + 1)};
    auto mode = a.get({}, "TargetMode");
    if (!mode || *mode != "External")
      r.target = resolve_part(source, *target);
    out.push_back(std::move(r));
  }
  void end(std::string_view, std::string_view) override {
    // nop
  }
  void text(std::string_view) override {
    // nop
  }
};

} // namespace

std::string resolve_part(std::string_view source_part,
                         std::string_view target) {
  std::string t = percent_decode(target);
  std::vector<std::string> segs;
  std::string_view path = t;
  if (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  } else {
    std::string_view dir = source_part;
    auto slash = dir.rfind('/');
    dir = slash == std::string_view::npos ? std::string_view{}
                                          : dir.substr(0, slash);
    while (!dir.empty()) {
      auto s = dir.find('/');
      segs.emplace_back(dir.substr(0, s));
      if (s == std::string_view::npos)
        break;
      dir.remove_prefix(s + 1);
    }
  }
  while (true) {
    auto s = path.find('/');
    std::string_view seg = path.substr(0, s);
    if (seg == "..") {
      if (!segs.empty())
        segs.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segs.emplace_back(seg);
    }
    if (s == std::string_view::npos)
      break;
    path.remove_prefix(s + 1);
  }
  std::string out;
  for (auto& s : segs) {
    if (!out.empty())
      out += '/';
    out += s;
  }
  return out;
}

bool in_ns(std::string_view ns, std::string_view family) {
  auto has = [&](std::string_view prefix, std::string_view suffix) {
    return ns.size() == prefix.size() + family.size() + suffix.size()
           && ns.substr(0, prefix.size()) == prefix
           && ns.substr(prefix.size(), family.size()) == family
           && ns.substr(prefix.size() + family.size()) == suffix;
  };
  return has("http://schemas.openxmlformats.org/", "/2006/main")
         || has("http://purl.oclc.org/ooxml/", "/main");
}

extract_outcome ooxml_package::open() {
  std::string xml;
  if (!zip_.contains("[Content_Types].xml"))
    return extract_outcome::fail(text_status::unsupported,
                                 "a ZIP archive that is not an Office Open "
                                 "XML document (no [Content_Types].xml)");
  auto r = zip_.read_all("[Content_Types].xml", xml, max_small_part);
  if (!r.extracted())
    return r;
  content_types_reader ct{defaults_, overrides_};
  if (auto p = parse_xml_string(xml, ct); !p.extracted()) {
    p.reason = "[Content_Types].xml: " + p.reason;
    return p;
  }
  std::vector<relationship> rels;
  if (auto p = relationships("", rels); !p.extracted())
    return p;
  for (auto& rel : rels)
    if (rel.type == "officeDocument" && !rel.target.empty()) {
      main_part_ = rel.target;
      break;
    }
  if (main_part_.empty())
    return extract_outcome::fail(text_status::failed,
                                 "the package names no main document");
  auto type = content_type(main_part_);
  if (type.find("wordprocessingml") != std::string::npos
      || type.find("ms-word") != std::string::npos)
    kind_ = ooxml_kind::wordprocessing;
  else if (type.find("spreadsheetml") != std::string::npos
           || type.find("ms-excel") != std::string::npos)
    kind_ = ooxml_kind::spreadsheet;
  else if (type.find("presentationml") != std::string::npos
           || type.find("ms-powerpoint") != std::string::npos)
    kind_ = ooxml_kind::presentation;
  else
    return extract_outcome::fail(text_status::unsupported,
                                 "an Office Open XML package of type '" + type
                                   + "'");
  return extract_outcome::ok();
}

extract_outcome ooxml_package::relationships(const std::string& part,
                                             std::vector<relationship>& out) {
  out.clear();
  std::string rels_name;
  auto slash = part.rfind('/');
  if (slash == std::string::npos)
    rels_name = "_rels/" + part + ".rels";
  else
    rels_name
      = part.substr(0, slash) + "/_rels/" + part.substr(slash + 1) + ".rels";
  if (!zip_.contains(rels_name))
    return extract_outcome::ok();
  std::string xml;
  if (auto r = zip_.read_all(rels_name, xml, max_small_part); !r.extracted())
    return r;
  rels_reader reader{part, out};
  auto p = parse_xml_string(xml, reader);
  if (!p.extracted())
    p.reason = rels_name + ": " + p.reason;
  return p;
}

std::string ooxml_package::content_type(const std::string& part) const {
  auto key = lower(part);
  for (auto& [name, type] : overrides_)
    if (name == key)
      return type;
  auto dot = key.rfind('.');
  if (dot != std::string::npos) {
    auto ext = key.substr(dot + 1);
    for (auto& [e, type] : defaults_)
      if (e == ext)
        return type;
  }
  return {};
}

void ooxml_reader::start(std::string_view ns, std::string_view local,
                         const xml_attrs& attrs) {
  if (skip_depth_ > 0) {
    ++skip_depth_;
    return;
  }
  if (ns == mc_ns && local == "Fallback") {
    skip_depth_ = 1;
    return;
  }
  on_start(ns, local, attrs);
}

void ooxml_reader::end(std::string_view ns, std::string_view local) {
  if (skip_depth_ > 0) {
    --skip_depth_;
    return;
  }
  on_end(ns, local);
}

void ooxml_reader::text(std::string_view utf8) {
  if (skip_depth_ == 0)
    on_text(utf8);
}

} // namespace jirasync::extract
