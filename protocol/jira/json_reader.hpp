#pragma once
// Reading Jira's JSON: the parse result every model parser returns, the
// depth-bounded JSON parser, pagination, and (namespace json_reader) the
// helpers the model parsers of protocol/jira are written with.
//
// Error model (documented once, used by every parse_* function):
// - No exception escapes a parse function (out-of-memory aside).
// - `parsed<T>` carries the value plus a list of `parse_error`s. Each error
//   names the record (`issue[3] (key ABC-12)`, `users[0]`, `myself`) and the
//   field (`fields.created`) and says what was wrong, e.g.
//   `issue[3] (key ABC-12): fields.created: expected a Jira timestamp, got
//   "yesterday"`.
// - A RECORD is an element of a list/page (a user, an issue, an audit
//   record...) or the object of a single-object response. A record with an
//   error in its own fields is left out of the returned list; the good
//   records are kept.
// - SUB-RECORDS (permission grants, role actors, security levels, embedded
//   comments and attachments) with an error in their own fields are left out
//   of their parent; the parent is kept. Their errors are still reported,
//   under the parent's record name with the sub-record's path
//   (`issue[0] (key A-1): fields.comment.comments[2].created: ...`).
// - `fatal` is set when the document cannot be used: not JSON (malformed or
//   cut off), wrong top-level shape (an object where an array is expected),
//   a missing page member (`issues`), or - for single-object responses - an
//   error in the object's own fields. `value` is then default/partial. So
//   callers do: `if (r.fatal) fail; log r.errors; use r.value`.
// - DEFECTS do not make a document unusable; they reject the record (or
//   sub-record) that holds them, like an error in its own fields: a value
//   nested deeper than json_max_depth (cut: the parser never builds it) and
//   a string or key with invalid UTF-8 (repaired with U+FFFD). The error
//   names the record and the JSON pointer of the defect, e.g.
//   `issue[3] (key A-1): /issues/3/fields/description/content/0/...: nested
//   deeper than 2000 levels`. So one hostile issue fails alone; the rest of
//   its page is read. A defect outside every record is a non-fatal error of
//   the document (parse_text adds it).
// - Tolerant where Jira varies: ids may be JSON strings or numbers (always
//   stored as std::string), null and absent are treated alike for optional
//   fields, unknown fields are ignored. Strict where a wrong value would
//   corrupt data: a missing/empty record id, a malformed timestamp, a wrong
//   type for a field we use.
//
// Thread-safety: all functions are reentrant; types are plain values.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace jirasync::protocol {

// ---------------------------------------------------------------------------
// Parse results

struct parse_error {
  /// Which record, e.g. `issue[3] (key ABC-12)`; empty for the document.
  std::string record;
  /// Dotted path inside the record, e.g. `fields.created`; may be empty.
  std::string field;
  /// What was wrong, e.g. `expected a Jira timestamp, got "yesterday"`.
  std::string message;

  /// `record: field: message` (empty parts left out).
  std::string to_string() const;
};

template<class T>
struct parsed {
  T value{};
  std::vector<parse_error> errors;
  /// The document could not be used (see the error model above).
  /// Default: false.
  bool fatal = false;

  bool ok() const {
    return errors.empty() && !fatal;
  }
};

/// Maximum JSON nesting depth of incoming documents (arrays + objects).
/// Real Jira documents (ADF included) stay far below this. A deeper value
/// is a defect (see the error model): it is cut before a tree is built
/// (Boost.JSON's parser, value destructor and copy recurse once per level)
/// and its record is rejected. The stored records have their own, lower
/// bound (storage/record_limits.hpp), checked when records are built.
inline constexpr std::size_t json_max_depth = 2000;

/// Parses JSON text safely: no exceptions, no comments/trailing commas, any
/// depth and any bytes. When the text is not JSON, `fatal` is set and the
/// error says why (and at which byte offset). Defects (see the error model)
/// come back as non-fatal errors naming their JSON pointer, with the value
/// cut (null) or repaired.
parsed<boost::json::value> parse_json(std::string_view text);

/// Why a JSON text cannot be used at all.
enum class json_text_fault {
  /// Usable (possibly with defects).
  none,
  /// It ends early: cut off on the way, worth another request.
  truncated,
  /// Broken syntax: the same bytes will come again, never retried.
  malformed,
};

/// Classifies `text` like parse_json would read it.
json_text_fault json_fault(std::string_view text);

namespace json_reader {
struct defect_scope;
} // namespace json_reader

/// Parses JSON text, then applies `fn` (one of the parse_* functions below):
/// `auto page = parse_text(body, parse_search_page);`. Defects reject the
/// record holding them (the record readers of json_reader see them).
template<class T>
parsed<T> parse_text(std::string_view text,
                     parsed<T> (*fn)(const boost::json::value&));

/// Pagination of Jira's PageBean-like responses.
struct page_info {
  /// When absent: startAt + values >= total if total is known, else false
  /// when nextPage is present, else true.
  bool is_last = true;
  std::int64_t start_at = 0;
  std::int64_t max_results = 0;
  std::optional<std::int64_t> total;
  /// group/member: URL of the next page, if any.
  std::optional<std::string> next_page;
};

template<class T>
struct jira_page {
  page_info page;
  std::vector<T> values;
};

/// The helpers the parse_* functions are written with. Each reads one member
/// of a JSON object, records what is wrong in the `ctx` of the record being
/// read (naming the record and the dotted field path) and returns a default
/// instead of throwing. Absent and null read alike.
namespace json_reader {

namespace json = boost::json;

/// "null", "a boolean", "a number", "a string", "an array", "an object".
std::string_view kind_name(const json::value& v);

/// `prefix.name` (just `name` when prefix is empty).
std::string join(std::string_view prefix, std::string_view name);

/// `base[i]`.
std::string indexed(std::string_view base, std::size_t i);

/// Collects the errors of one record. `own` counts the errors in the
/// record's own fields (which reject the record); errors of sub-records are
/// appended without counting (they only reject the sub-record).
struct ctx {
  std::string record;
  std::vector<parse_error>* errors;
  int own = 0;

  void fail(std::string_view field, std::string message) {
    errors->push_back({record, std::string(field), std::move(message)});
    ++own;
  }
};

/// A defect (see the error model) at or below `v`, in the document
/// parse_text is reading on this thread; nullptr when none (or outside
/// parse_text). `pointer` is the defect's JSON pointer (shortened),
/// `message` what is wrong. Marks the defect as reported.
struct defect {
  std::string pointer;
  std::string message;
  /// Whether a record reader reported it. Default: false.
  bool reported = false;
  /// The pointer's tokens, unshortened.
  std::vector<std::string> path;
};
const defect* defect_within(const json::value& v);

/// Fails `c` with the defect at or below `v`, if any; returns whether one
/// was found.
bool fail_on_defect(ctx& c, const json::value& v);

/// While alive, defect_within() answers for `doc` (parse_text's document)
/// on this thread. `defects` and `doc` must outlive the scope.
struct defect_scope {
  defect_scope(const json::value& doc, std::vector<defect>& defects);
  ~defect_scope();
  defect_scope(const defect_scope&) = delete;
  defect_scope& operator=(const defect_scope&) = delete;

private:
  void* saved_;
  void* index_;
};

/// Runs `fn(sub)` for a sub-record; returns whether the sub-record is good.
template<class F>
bool sub_record(ctx& parent, F&& fn) {
  ctx sub{parent.record, parent.errors, 0};
  fn(sub);
  return sub.own == 0;
}

/// o[key]; nullptr when absent or null.
const json::value* get(const json::object& o, std::string_view key);

/// An integer given as a JSON number (integral) or a decimal string.
std::optional<std::int64_t> as_int(const json::value& v);

/// Ids: strings (non-empty) or integral numbers, as a string.
std::optional<std::string> as_id(const json::value& v);

/// At most 40 characters of `s`, control characters as '?'.
std::string shorten(std::string_view s);

/// `got "text"` / `got an object`, for error messages.
std::string got(const json::value& v);

// Member readers: `key` of `o`; `prefix` is the path of `o` in the record
// (for the error's field). opt_* give nullopt when absent or null; req_*
// also fail when absent. A wrong type always fails.

/// Optional string.
std::optional<std::string> opt_str(ctx& c, const json::object& o,
                                   std::string_view key,
                                   std::string_view prefix);
/// Optional string, "" when absent.
std::string str_or_empty(ctx& c, const json::object& o, std::string_view key,
                         std::string_view prefix);
/// Tolerant text: strings, and numbers rendered as text (names sometimes
/// are).
std::optional<std::string> opt_text(ctx& c, const json::object& o,
                                    std::string_view key,
                                    std::string_view prefix);
/// Optional id (string or integer).
std::optional<std::string> opt_id(ctx& c, const json::object& o,
                                  std::string_view key,
                                  std::string_view prefix);
/// Required non-empty id (string or integer).
std::string req_id(ctx& c, const json::object& o, std::string_view key,
                   std::string_view prefix);
/// Required non-empty string.
std::string req_str(ctx& c, const json::object& o, std::string_view key,
                    std::string_view prefix);
std::optional<std::int64_t> opt_int(ctx& c, const json::object& o,
                                    std::string_view key,
                                    std::string_view prefix);
/// A JSON boolean, or the strings "true"/"false".
std::optional<bool> opt_bool(ctx& c, const json::object& o,
                             std::string_view key, std::string_view prefix);
/// A Jira timestamp -> UTC milliseconds.
std::optional<std::int64_t> opt_time(ctx& c, const json::object& o,
                                     std::string_view key,
                                     std::string_view prefix);
std::int64_t req_time(ctx& c, const json::object& o, std::string_view key,
                      std::string_view prefix);
/// An object member: nullptr when absent/null; error when not an object.
const json::object* opt_obj(ctx& c, const json::object& o, std::string_view key,
                            std::string_view prefix);
const json::array* opt_arr(ctx& c, const json::object& o, std::string_view key,
                           std::string_view prefix);
/// An array of strings (wrong elements fail and are left out).
std::vector<std::string> str_list(ctx& c, const json::object& o,
                                  std::string_view key,
                                  std::string_view prefix);

/// Record label: `kind[i] (key K)` / `(id N)` / `(accountId A)` /
/// `(name N)`.
std::string label(std::string_view kind, std::optional<std::size_t> index,
                  const json::value& v);

/// Reads each element of `arr` as a record with `read(ctx&, object, T&)`.
template<class T, class F>
void read_records(const json::array& arr, std::string_view kind,
                  std::vector<T>& out, std::vector<parse_error>& errors,
                  F&& read) {
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const auto& e = arr[i];
    ctx c{label(kind, i, e), &errors, 0};
    if (fail_on_defect(c, e))
      continue;
    if (!e.is_object()) {
      c.fail("", "expected an object, " + got(e));
      continue;
    }
    T value{};
    read(c, e.get_object(), value);
    if (c.own == 0)
      out.push_back(std::move(value));
  }
}

/// Reads the elements of o[key] as sub-records of the record `c`.
template<class T, class F>
void read_sub_records(ctx& c, const json::object& o, std::string_view key,
                      std::string_view prefix, std::vector<T>& out, F&& read) {
  const auto* arr = opt_arr(c, o, key, prefix);
  if (!arr)
    return;
  std::string base = join(prefix, key);
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto& e = (*arr)[i];
    std::string path = indexed(base, i);
    T value{};
    bool good = sub_record(c, [&](ctx& sub) {
      if (fail_on_defect(sub, e))
        return;
      if (!e.is_object()) {
        sub.fail(path, "expected an object, " + got(e));
        return;
      }
      read(sub, e.get_object(), path, value);
    });
    if (good)
      out.push_back(std::move(value));
  }
}

/// Top-level shape checks: the document must be an object (or an array);
/// otherwise a fatal error naming `what`.
template<class T>
const json::object* top_object(const json::value& doc, parsed<T>& out,
                               std::string_view what) {
  if (!doc.is_object()) {
    out.errors.push_back(
      {std::string(what), "", "expected a JSON object, " + got(doc)});
    out.fatal = true;
    return nullptr;
  }
  return &doc.get_object();
}

template<class T>
const json::array* top_array(const json::value& doc, parsed<T>& out,
                             std::string_view what) {
  if (!doc.is_array()) {
    out.errors.push_back(
      {std::string(what), "", "expected a JSON array, " + got(doc)});
    out.fatal = true;
    return nullptr;
  }
  return &doc.get_array();
}

/// A page member that must be an array (`values`, `issues`...).
template<class T>
const json::array* page_array(const json::object& o, std::string_view key,
                              parsed<T>& out, std::string_view what) {
  const auto* v = get(o, key);
  if (!v || !v->is_array()) {
    out.errors.push_back(
      {std::string(what), std::string(key),
       v ? "expected an array, " + got(*v) : std::string("missing")});
    out.fatal = true;
    return nullptr;
  }
  return &v->get_array();
}

/// Single-object parse: runs `read` on the object as one record.
template<class T, class F>
parsed<T> single(const json::value& doc, std::string_view kind, F&& read) {
  parsed<T> out;
  const auto* o = top_object(doc, out, kind);
  if (!o)
    return out;
  ctx c{label(kind, std::nullopt, doc), &out.errors, 0};
  if (!fail_on_defect(c, doc))
    read(c, *o, out.value);
  out.fatal = c.own > 0;
  return out;
}

/// Page-level fields (startAt, maxResults, total, nextPage, isLast) of a
/// page holding `count` values.
page_info read_page_info(ctx& c, const json::object& o, std::size_t count);

/// Page-level fields are read in a context that makes any error fatal.
template<class T>
page_info page_fields(const json::object& o, std::size_t count, parsed<T>& out,
                      std::string_view what) {
  ctx c{std::string(what), &out.errors, 0};
  auto pi = read_page_info(c, o, count);
  if (c.own > 0)
    out.fatal = true;
  return pi;
}

} // namespace json_reader

namespace detail {

/// parse_json's document plus its defects (for parse_text).
struct loaded_json {
  parsed<boost::json::value> doc;
  std::vector<json_reader::defect> defects;
  /// When doc.fatal: the text ended early.
  bool truncated = false;
};

loaded_json load_json(std::string_view text);

/// Defects no record reported, as non-fatal document errors.
void add_unreported(const std::vector<json_reader::defect>& defects,
                    std::vector<parse_error>& errors);

} // namespace detail

template<class T>
parsed<T> parse_text(std::string_view text,
                     parsed<T> (*fn)(const boost::json::value&)) {
  auto loaded = detail::load_json(text);
  if (loaded.doc.fatal) {
    parsed<T> out;
    out.errors = std::move(loaded.doc.errors);
    out.fatal = true;
    return out;
  }
  if (loaded.defects.empty())
    return fn(loaded.doc.value);
  parsed<T> out;
  {
    json_reader::defect_scope scope{loaded.doc.value, loaded.defects};
    out = fn(loaded.doc.value);
  }
  detail::add_unreported(loaded.defects, out.errors);
  return out;
}

} // namespace jirasync::protocol
