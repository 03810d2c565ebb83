// `jirasync adf2md [FILE]`: one ADF document (or a Jira issue / comment
// holding one) from FILE or stdin to Markdown on stdout. Diagnostics go to
// stderr as "adf2md: ..."; exit 0, or 2 when the input is not JSON or holds
// no ADF.
#include "app/commands.hpp"
#include "protocol/adf/adf_markdown.hpp"

#include <boost/json.hpp>

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

namespace jirasync::app {

namespace {

namespace json = boost::json;

/// JSON nesting accepted on input (an ADF level is about two JSON levels;
/// the renderer itself stops at 256 ADF levels).
constexpr std::size_t max_json_depth = 10000;

bool is_adf_doc(const json::value& v) {
  auto o = v.if_object();
  if (!o)
    return false;
  auto t = o->if_contains("type");
  return t && t->is_string() && t->get_string() == "doc";
}

/// Finds the ADF in `root`: a doc, a content array, an issue
/// (fields.description; when that is not ADF, the bodies of the comments in
/// fields.comment) or a comment (body).
/// Returns the documents to render, in order.
std::vector<const json::value*> find_adf(const json::value& root) {
  std::vector<const json::value*> docs;
  if (root.is_array()) {
    docs.push_back(&root);
    return docs;
  }
  auto o = root.if_object();
  if (!o)
    return docs;
  if (o->if_contains("type")) {
    docs.push_back(&root);
    return docs;
  }
  if (auto body = o->if_contains("body"); body && is_adf_doc(*body)) {
    docs.push_back(body);
    return docs;
  }
  auto fields = o->if_contains("fields");
  auto fo = fields ? fields->if_object() : nullptr;
  if (!fo)
    return docs;
  if (auto d = fo->if_contains("description"); d && is_adf_doc(*d)) {
    docs.push_back(d);
    return docs;
  }
  // No ADF description (e.g. an HTML string): the comments' bodies.
  if (auto c = fo->if_contains("comment")) {
    const json::array* comments = nullptr;
    if (auto co = c->if_object())
      if (auto arr = co->if_contains("comments"))
        comments = arr->if_array();
    if (comments)
      for (auto& cm : *comments)
        if (auto cmo = cm.if_object())
          if (auto body = cmo->if_contains("body"); body && is_adf_doc(*body))
            docs.push_back(body);
  }
  return docs;
}

/// Media resolution against fields.attachment: file name -> attachment id.
std::unordered_map<std::string, std::string>
attachments_by_name(const json::value& root) {
  std::unordered_map<std::string, std::string> out;
  auto o = root.if_object();
  auto f = o ? o->if_contains("fields") : nullptr;
  auto fo = f ? f->if_object() : nullptr;
  auto a = fo ? fo->if_contains("attachment") : nullptr;
  auto arr = a ? a->if_array() : nullptr;
  if (!arr)
    return out;
  for (auto& v : *arr) {
    auto ao = v.if_object();
    if (!ao)
      continue;
    auto name = ao->if_contains("filename");
    auto id = ao->if_contains("id");
    if (name && name->is_string() && id) {
      std::string ids = id->is_string() ? std::string{id->get_string()}
                                        : json::serialize(*id);
      out.emplace(std::string{name->get_string()}, std::move(ids));
    }
  }
  return out;
}

exit_code run_adf2md(const std::string& file) {
  std::string text;
  if (file.empty() || file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "adf2md: cannot read " << file << "\n";
      return exit_code::usage;
    }
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  json::monotonic_resource mr;
  json::storage_ptr sp{&mr}; // not shared: no recursive destruction
  json::parse_options po;
  po.max_depth = max_json_depth;
  boost::system::error_code ec;
  auto root = json::parse(text, ec, sp, po);
  if (ec) {
    std::cerr << "adf2md: input is not JSON: " << ec.message() << "\n";
    return exit_code::usage;
  }
  auto docs = find_adf(root);
  if (docs.empty()) {
    std::cerr << "adf2md: no ADF document found (expected a doc, a content "
                 "array, an issue or a comment)\n";
    return exit_code::usage;
  }
  auto names = attachments_by_name(root);
  protocol::adf_options opts;
  if (!names.empty())
    opts.resolve_media
      = [&names](std::string_view filename,
                 std::string_view) -> std::optional<std::string> {
      auto i = names.find(std::string{filename});
      if (i == names.end())
        return std::nullopt;
      return i->second;
    };
  bool first = true;
  for (auto doc : docs) {
    auto res = protocol::adf_to_markdown(*doc, opts);
    for (std::string_view d : res.diagnostics) {
      if (d.substr(0, 5) == "adf: ")
        d.remove_prefix(5);
      std::cerr << "adf2md: " << d << "\n";
    }
    if (!first && !res.markdown.empty())
      std::cout << "\n";
    std::cout << res.markdown;
    first = first && res.markdown.empty();
  }
  std::cout.flush();
  return exit_code::ok;
}

registrar reg_adf2md{[](CLI::App& app, exit_code& code) {
  auto cmd = app.add_subcommand(
    "adf2md", "Convert an ADF document (or a Jira issue/comment JSON holding "
              "one) from FILE or stdin to Markdown on stdout");
  auto file = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "JSON file (default: stdin)");
  cmd->callback([file, &code] {
    code = run_adf2md(*file);
  });
}};

} // namespace

} // namespace jirasync::app
