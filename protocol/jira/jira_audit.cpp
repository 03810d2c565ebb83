#include "protocol/jira/jira_audit.hpp"

namespace jirasync::protocol {

using namespace json_reader;

namespace {

void read_audit_item(ctx& c, const json::object& o, std::string_view p,
                     audit_item& it) {
  it.id = opt_id(c, o, "id", p);
  it.name = str_or_empty(c, o, "name", p);
  it.type_name = str_or_empty(c, o, "typeName", p);
  it.parent_id = opt_id(c, o, "parentId", p);
  it.parent_name = opt_str(c, o, "parentName", p);
}

void read_audit_record(ctx& c, const json::object& o, std::string_view p,
                       audit_record& r) {
  r.id = req_id(c, o, "id", p);
  r.summary = str_or_empty(c, o, "summary", p);
  r.created_ms = req_time(c, o, "created", p);
  r.category = str_or_empty(c, o, "category", p);
  r.event_source = str_or_empty(c, o, "eventSource", p);
  r.author_account_id = opt_str(c, o, "authorAccountId", p);
  if (const auto* oi = opt_obj(c, o, "objectItem", p)) {
    audit_item item;
    read_audit_item(c, *oi, join(p, "objectItem"), item);
    r.object_item = std::move(item);
  }
  read_sub_records(c, o, "changedValues", p, r.changed_values,
                   [](ctx& sc, const json::object& vo, const std::string& vp,
                      audit_changed_value& v) {
                     v.field_name = str_or_empty(sc, vo, "fieldName", vp);
                     v.changed_from = opt_text(sc, vo, "changedFrom", vp);
                     v.changed_to = opt_text(sc, vo, "changedTo", vp);
                   });
  read_sub_records(
    c, o, "associatedItems", p, r.associated_items,
    [](ctx& sc, const json::object& io, const std::string& ip, audit_item& it) {
      read_audit_item(sc, io, ip, it);
    });
}

} // namespace

parsed<audit_page> parse_audit_page(const json::value& doc) {
  parsed<audit_page> out;
  const auto* o = top_object(doc, out, "audit page");
  if (!o)
    return out;
  const auto* a = page_array(*o, "records", out, "audit page");
  if (!a)
    return out;
  read_records(*a, "records", out.value.records, out.errors,
               [](ctx& c, const json::object& ro, audit_record& r) {
                 read_audit_record(c, ro, "", r);
               });
  ctx c{"audit page", &out.errors, 0};
  out.value.offset = opt_int(c, *o, "offset", "").value_or(0);
  out.value.limit = opt_int(c, *o, "limit", "").value_or(0);
  out.value.total = opt_int(c, *o, "total", "")
                      .value_or(static_cast<std::int64_t>(a->size()));
  if (c.own > 0)
    out.fatal = true;
  return out;
}

} // namespace jirasync::protocol
